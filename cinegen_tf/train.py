"""Trains an Image2GIF model (or a baseline) and resumes where a killed run stopped.

    python -m cinegen_tf.train --config=experiments/configs/quickstart.py --workdir=/tmp/qs
    python -m cinegen_tf.train --config=experiments/configs/synthetic.py:eight,rnn_dqn \
        --workdir=runs/eight_rnn_dqn --config.train.batch_size=32

Watch it with `tensorboard --logdir=WORKDIR`. A mistake (a bad config, override or
workdir) is one line on stderr and leaves no new workdir behind; `--verbose` shows the
traceback.
"""
import os
import shutil

from absl import flags
from ml_collections import config_flags

from cinegen_tf import cli

_CONFIG = config_flags.DEFINE_config_file(
    "config", None, "Training config file, optionally with ':args' "
    "(e.g. experiments/configs/synthetic.py:eight,rnn_dqn).", lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Folder for config.json, checkpoints and "
                               "TensorBoard summaries (created, parents too); rerun with "
                               "the same one to resume.")
flags.mark_flags_as_required(["config", "workdir"])


def _main(argv):
    del argv
    from cinegen_tf.training import checkpoints, train_lib  # TensorFlow, after the flags

    config = cli.config_value(_CONFIG)
    workdir = _WORKDIR.value
    if os.path.exists(workdir) and not os.path.isdir(workdir):
        raise cli.UserError(f"--workdir={workdir}: exists and is not a folder")
    created = not os.path.exists(workdir)
    try:
        train_lib.run(config, workdir)
    except Exception:  # noqa: BLE001 (re-raised); Ctrl-C keeps what was written
        # A run that failed before its first checkpoint leaves no workdir it created.
        folder = checkpoints.checkpoint_dir(workdir)
        if created and os.path.isdir(workdir) and not (
                os.path.isdir(folder) and any(n.endswith(".index") for n in os.listdir(folder))):
            shutil.rmtree(workdir, ignore_errors=True)
        raise


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
