"""Exports a trained generator as a SavedModel that serves photos -> cinemagraph frames.

    python -m cinegen_tf.export --checkpoint=runs/water --output=exported/water
    python -m cinegen_tf.export --checkpoint=runs/eight_rnn_dqn --output=exported/eight \
        --num_frames=27 --loop=pingpong --temperature=1

Load it without this package: `tf.saved_model.load(DIR).signatures["serving_default"]
(image=uint8 (H, W, 3))["frames"]` -> uint8 (L, H, W, 3); see
cinegen_tf/inference/export_lib.py for the signatures.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from cinegen_tf import cinemagraph_flags  # noqa: E402
from cinegen_tf.inference import export_lib, generate_lib  # noqa: E402

_OUTPUT = flags.DEFINE_string("output", None, "SavedModel folder to write (an existing "
                              "SavedModel there is replaced; --temperature > 0 samples with "
                              "the signature's seed).")
flags.adopt_module_key_flags(cinemagraph_flags)  # listed by --help too
flags.mark_flags_as_required(["checkpoint", "output"])


def _main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    try:
        path = export_lib.export_checkpoint(cinemagraph_flags.CHECKPOINT.value, _OUTPUT.value,
                                            cinemagraph_flags.options())
    except (OSError, ValueError, TypeError) as error:
        print(f"error: {generate_lib.one_line(error)}", file=sys.stderr)
        return 1
    print(path)
    return 0


def main():
    app.run(_main)  # exits with _main's return value


if __name__ == "__main__":
    main()
