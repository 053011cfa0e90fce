"""The README's first job: an RNN+DQN run that visibly learns in ten minutes on 2 AMX cores.

    python -m cinegen_tf.train --config=experiments/configs/quickstart.py --workdir=/tmp/qs

The paper's model and losses (|z| = |Q| = 64, lambda_adv = 0.005) on the synthetic "eight"
pattern, with what makes it fast: batch 8, bfloat16 mixed precision where the CPU runs it
natively (AMX / AVX512-BF16; float32 elsewhere, cinegen_tf/training/precision.py), a few
hundred steps, exploration and target syncs scaled down to that budget. Measured (seed 0,
bfloat16 on an AMX CPU): the validation MSE falls from 0.225 to 0.104 / 0.041 / 0.033 /
0.029 at steps 50 / 100 / 150 / 200 (PSNR 13.9 -> 21.6 dB, SSIM 0.20 -> 0.63); in float32
on an AVX2-only 2-core CPU, 0.184 / 0.048 / 0.036 / 0.032 (PSNR 21.1, SSIM 0.59) in 30.4
min. The samples (DIR/samples/*.gif|png, TensorBoard GIFs) show the ten backgrounds: the
moving rectangle does not appear at this budget. Inside the object's mask the error stays
at 0.29-0.49 (painting background there scores ~0.46 on "eight") for every variant tried:
RNN, lambda_adv 0, batch norm, lr 1e-3, the rotate pattern, flat one-colour backgrounds,
conv widths cut to a quarter for 5x the steps (600-1500 steps of batch 8). A bare encoder-
decoder of these layers (quarter widths, He initialisation), trained only to reproduce
frame 0 of flat-background "rotate" clips, took the object's error from 0.30 to 0.18 in
5000 steps of batch 8 while the background's fell to 0.0035: drawing an object where a
dense code says is slow to learn for such decoders (Liu et al. 2018, "CoordConv"). The
paper's quality needs `synthetic.py:eight,rnn_dqn` (6K steps at batch 64).
"""
from cinegen_tf.training import config_lib, precision


def get_config(arg=None):
    if arg:
        raise ValueError(f"experiments/configs/quickstart.py takes no arguments, got {arg!r}")
    config = config_lib.base_config()
    config.method = "rnn_dqn"
    config.data.name = "synthetic"
    config.data.pattern = "eight"
    config.data.source = "procedural"
    config.train.batch_size = 8
    config.train.num_steps = 200
    config.train.learning_rate = 5e-4
    config.dqn.learning_rate = 5e-4
    config.train.mixed_precision = precision.native_bfloat16()
    config.train.steps_per_loop = 10
    config.train.eval_every = 50
    config.train.checkpoint_every = 50
    config.train.eval_batch_size = 8
    config.dqn.epsilon_decay_steps = 60
    config.dqn.target_sync_every = 20
    return config
