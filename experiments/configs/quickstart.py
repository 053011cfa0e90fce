"""The README's main job: our layered generator (not in the paper) learns the synthetic
"eight" motion in about eleven minutes on two CPU cores.

    python -m cinegen_tf.train --config=experiments/configs/quickstart.py --workdir=workdirs/quickstart
    python -m cinegen_tf.evaluate --workdir=workdirs/quickstart --num_sequences=256

experiments/configs/layered.py on "eight" (without the ConvLSTM composite: a figure 8 is
a translation, which the moving layer draws alone at ~3x the steps per second), 1500
steps of batch 16, bfloat16 where the CPU runs it natively (precision.py): ~11 min on a
2-core AVX512-BF16 CPU. Measured numbers over three seeds:
experiments/results/quickstart_seeds.md (python -m experiments.quickstart_seeds). On
synthetic data 2.0.0 frame 0 determines the path (the floor of python -m
experiments.centre_floor is 0): the path's size and length follow from the object's
height, which the model reads from its mask (models/layered.py:layer_geometry), and the
frame index reaches the LSTM as a clock. Seed 0: 6.06 px at 600 steps, 3.15 px at 1500.

Why not the paper's model: its RNN+DQN needs the paper's budget (6K steps of batch 64,
over a day here) before the object appears; at this budget it learns the backgrounds
only (Table 4 at cpu scale: no object match in 88-93% of frames). It trains with
`synthetic.py:eight,rnn_dqn`.
"""
from cinegen_tf.training import precision
from experiments.configs import layered


def with_budget(config):
    """The quickstart's budget on a layered config (also the ablation's, experiments/)."""
    config.train.num_steps = 1500
    config.train.mixed_precision = precision.native_bfloat16()
    config.train.steps_per_loop = 20
    config.train.eval_every = 500
    config.train.checkpoint_every = 500
    config.train.eval_batch_size = 8
    return config


def get_config(arg=None):
    if arg:
        raise ValueError(f"experiments/configs/quickstart.py takes no arguments, got {arg!r}")
    return with_budget(layered.get_config("eight"))
