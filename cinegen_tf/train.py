"""Trains an Image2GIF model (or a baseline) and resumes where a killed run stopped.

    python -m cinegen_tf.train --config=experiments/configs/quickstart.py --workdir=/tmp/qs
    python -m cinegen_tf.train --config=experiments/configs/synthetic.py:eight,rnn_dqn \
        --workdir=runs/eight_rnn_dqn --config.train.batch_size=32

Watch it with `tensorboard --logdir=WORKDIR`.
"""
from absl import app
from absl import flags
from ml_collections import config_flags

from cinegen_tf.training import train_lib

_CONFIG = config_flags.DEFINE_config_file(
    "config", None, "Training config file, optionally with ':args' "
    "(e.g. experiments/configs/synthetic.py:eight,rnn_dqn).", lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Folder for config.json, checkpoints and "
                               "TensorBoard summaries; rerun with the same one to resume.")
flags.mark_flags_as_required(["config", "workdir"])


def _main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    train_lib.run(_CONFIG.value, _WORKDIR.value)


def main():
    app.run(_main)


if __name__ == "__main__":
    main()
