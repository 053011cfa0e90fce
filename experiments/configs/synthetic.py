"""Synthetic-data training at the paper's settings (Sec. 5.1, 5.2).

`--config=experiments/configs/synthetic.py:PATTERN,METHOD`, e.g. `:eight,rnn_dqn`.
PATTERN: i, o, l, eight, rotate or scale (default eight); METHOD: rnn, rnn_dqn (default),
mathieu or constant. Batch 64, 6K iterations, |z| = |Q| = 64, lambda_adv = 0.005.
"""
from cinegen_tf.training import config_lib

PATTERNS = ("i", "o", "l", "eight", "rotate", "scale")


def get_config(arg=None):
    pattern, method = config_lib.parse_config_args(
        arg, (PATTERNS, config_lib.METHODS), ("eight", "rnn_dqn"),
        "experiments/configs/synthetic.py")
    config = config_lib.base_config()
    config.method = method
    config.data.name = "synthetic"
    config.data.pattern = pattern
    return config
