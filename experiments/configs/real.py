"""Real-cinemagraph training at the paper's settings (Sec. 5.1, 5.3).

`--config=experiments/configs/real.py:CATEGORY,METHOD`, e.g. `:fire,rnn_dqn`.
CATEGORY: water_flowing or fire (default); METHOD: rnn, rnn_dqn (default), mathieu or
constant. 13.5K iterations, |z| = |Q| = 512, lambda_adv = 0.05; an example is 6 frames
(1 input + 5 to generate). Point `--config.data.data_dir` at the prepared data.
"""
from cinegen_tf.training import config_lib

CATEGORIES = ("water_flowing", "fire")


def get_config(arg=None):
    category, method = config_lib.parse_config_args(
        arg, (CATEGORIES, config_lib.METHODS), ("fire", "rnn_dqn"),
        "experiments/configs/real.py")
    config = config_lib.base_config()
    config.method = method
    config.data.name = "real"
    config.data.category = category
    config.data.pattern = None
    config.data.source = "tfds"
    config.model.z_dim = 512
    config.model.num_actions = 512
    config.train.num_steps = 13500
    config.train.lambda_adv = 0.05
    # Same share of training spent exploring as the synthetic default (1/3).
    config.dqn.epsilon_decay_steps = 4500
    return config
