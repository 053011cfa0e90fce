"""The README's main job: our layered generator (not in the paper) learns the synthetic
"eight" motion in about ten minutes on two CPU cores.

    python -m cinegen_tf.train --config=experiments/configs/quickstart.py --workdir=workdirs/quickstart
    python -m cinegen_tf.evaluate --workdir=workdirs/quickstart --num_sequences=256

experiments/configs/layered.py on "eight" (without the ConvLSTM composite: a figure 8 is
a translation, which the moving layer draws alone at ~3x the steps per second), 600
steps of batch 16, bfloat16 where the CPU runs it natively (precision.py). Measured
numbers are in the README and experiments/results/ablation_layered.md. Longer does not
pay here: on 256 eight test sequences the centre distance was 13.4 / 11.0 / 11.1 / 10.7
/ 11.8 px after 200 / 400 / 600 / 800 / 1000 steps (one 1000-step run, seed 0, motion
weight annealed over 1000 steps), against a floor of 8.05 px for any deterministic
generator (python -m experiments.centre_floor).

Why not the paper's model: its RNN+DQN needs the paper's budget (6K steps of batch 64,
over a day here) before the object appears; at this budget it learns the backgrounds
only (Table 4 at cpu scale: no object match in 88-93% of frames). It trains with
`synthetic.py:eight,rnn_dqn`.
"""
from cinegen_tf.training import precision
from experiments.configs import layered


def get_config(arg=None):
    if arg:
        raise ValueError(f"experiments/configs/quickstart.py takes no arguments, got {arg!r}")
    config = layered.get_config("eight")
    config.train.num_steps = 600
    config.train.mixed_precision = precision.native_bfloat16()
    config.train.steps_per_loop = 20
    config.train.eval_every = 200
    config.train.checkpoint_every = 200
    config.train.eval_batch_size = 8
    return config
