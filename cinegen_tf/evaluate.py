"""Scores a trained run (or the constant baseline) on the test split -> DIR/result.json.

    python -m cinegen_tf.evaluate --workdir=runs/eight_rnn_dqn
    python -m cinegen_tf.evaluate --checkpoint=runs/eight_rnn_dqn/checkpoints/ckpt-3000
    python -m cinegen_tf.evaluate --workdir=runs/eight_rnn_dqn --follow   # while it trains
    python -m cinegen_tf.evaluate --config=experiments/configs/synthetic.py:eight,constant \
        --workdir=runs/eight_constant

See cinegen_tf/evaluation/eval_lib.py for what is scored and the result.json layout.
A mistake is one line on stderr (`--verbose` shows the traceback).
"""
import os

from absl import app
from absl import flags
from ml_collections import config_flags

from cinegen_tf import cli

_CONFIG = config_flags.DEFINE_config_file(
    "config", None, "Config of a method without weights (constant), e.g. "
    "experiments/configs/synthetic.py:eight,constant; needs --workdir for the output.")
_WORKDIR = flags.DEFINE_string(
    "workdir", None, "Training workdir to evaluate (its latest checkpoint), or where "
    "result.json goes with --checkpoint/--config.")
_CHECKPOINT = flags.DEFINE_string("checkpoint", None,
                                  "Checkpoint prefix to evaluate, e.g. DIR/checkpoints/ckpt-600.")
_SPLIT = flags.DEFINE_string("split", "test", "Data split to score.")
_FOLLOW = flags.DEFINE_bool("follow", False, "Evaluate each new checkpoint of --workdir as it "
                            "appears, until the final step or --timeout_s without one.")
_TIMEOUT_S = flags.DEFINE_integer("timeout_s", 3600, "--follow: seconds to wait for a new "
                                  "checkpoint before stopping.")
_NUM_SEQUENCES = flags.DEFINE_integer("num_sequences", None, "Score only this many test "
                                      "sequences (default: the whole split).")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 32, "Sequences per generation batch.")
_DATA_SEED = flags.DEFINE_integer("data_seed", None, "Seed of the test data (default: the "
                                  "run's config.seed).")
_INCLUDE_PADDING = flags.DEFINE_bool("include_padding", False,
                                     "Also score the black padding frames of short clips.")


def _main(argv):
    del argv
    if not (_WORKDIR.value or _CHECKPOINT.value):
        raise app.UsageError("give --workdir, --checkpoint, or --config with --workdir")
    if _FOLLOW.value and (_CHECKPOINT.value or _CONFIG.value):
        raise app.UsageError("--follow follows --workdir alone")
    if (_WORKDIR.value and not (_CHECKPOINT.value or _CONFIG.value)
            and not os.path.isdir(_WORKDIR.value)):
        raise cli.UserError(f"--workdir={_WORKDIR.value}: no such folder")
    for name, value in (("num_sequences", _NUM_SEQUENCES.value),
                        ("batch_size", _BATCH_SIZE.value)):
        if value is not None and value < 1:
            raise app.UsageError(f"--{name}={value}: must be >= 1")
    config = cli.config_value(_CONFIG)
    from cinegen_tf.evaluation import eval_lib  # TensorFlow, after the flags

    eval_lib.run(workdir=_WORKDIR.value, checkpoint=_CHECKPOINT.value, config=config,
                 split=_SPLIT.value, follow=_FOLLOW.value, timeout_s=_TIMEOUT_S.value,
                 num_sequences=_NUM_SEQUENCES.value, batch_size=_BATCH_SIZE.value,
                 data_seed=_DATA_SEED.value, include_padding=_INCLUDE_PADDING.value)


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
