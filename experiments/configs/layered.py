"""Our layered recurrent DQN generator (not in the paper; cinegen_tf/models/layered.py).

`--config=experiments/configs/layered.py:DATA`, DATA a synthetic pattern (i, o, l, eight,
rotate, scale; default eight) or a real category (water_flowing, fire; point
`--config.data.data_dir` at the prepared data). The paper's step (MSE + lambda_adv *
adversarial, Q-learning for the DQN, training/recurrent_step.py) and the cpu-scale
tables' budget: 240 steps of batch 16.

`train.motion_weight` (20, not in the paper): pixels that move count 21x in the MSE at the
start (cinegen_tf/losses.py:motion_weighted_mse), annealed linearly to 1x at the last
step (or at `train.motion_weight_steps`, if set, e.g. to extend a finished run): it
breaks the copy-the-input minimum early; the plain MSE later keeps the still background
exact.
Model keys beyond the paper's (cinegen_tf/models/layered.py): `width` (32: the first
encoder layer's maps), `moving_layer` (True: the soft-shifted layer), `refine` (the
ConvLSTM composite: on for real data, off for synthetic patterns), `coords` (True:
CoordConv input), `sharp` (True: the likeliest displacement at inference), `clock`
(synthetic patterns: sinusoids of the frame index enter the LSTM), `transform` (rotate
and scale: the layer also turns and stretches, models/layer_warp.py); `num_actions` 0
drops the DQN.
"""
from cinegen_tf.training import config_lib

PATTERNS = ("i", "o", "l", "eight", "rotate", "scale")
CATEGORIES = ("water_flowing", "fire")


def get_config(arg=None):
    (data,) = config_lib.parse_config_args(arg, (PATTERNS + CATEGORIES,), ("eight",),
                                           "experiments/configs/layered.py")
    config = config_lib.base_config()
    config.method = "layered"
    # The ConvLSTM composite draws what a translation cannot: real flicker and flow. On the
    # synthetic patterns it costs ~3x per step (experiments/results/ablation_layered.md).
    config.model.refine = data in CATEGORIES
    # A translation cannot turn or stretch the object: rotate and scale warp the layer.
    config.model.transform = data in ("rotate", "scale")
    # A synthetic path is a function of the object's size and the frame index: the LSTM
    # reads t as sinusoids (models/layered.py:clock_features) instead of counting frames.
    # Real clips train on 5 frames and generate loops of 48: no clock beyond what it saw.
    config.model.clock = data in PATTERNS
    if data in CATEGORIES:
        config.data.name = "real"
        config.data.category = data
        config.data.pattern = None
        config.data.source = "tfds"
        config.train.lambda_adv = 0.05
    else:
        config.data.pattern = data
    config.model.z_dim = 256
    config.model.num_actions = 64
    config.model.width = 32
    config.model.moving_layer = True
    config.model.coords = True
    config.model.sharp = True
    config.train.motion_weight = 20.0  # annealed to 0 over num_steps (recurrent_step.py)
    config.train.batch_size = 16
    config.train.num_steps = 240
    config.train.learning_rate = 1e-3
    config.dqn.learning_rate = 1e-3
    config.dqn.epsilon_decay_steps = 80
    config.dqn.target_sync_every = 20
    config.train.eval_every = 40
    config.train.checkpoint_every = 40
    return config
