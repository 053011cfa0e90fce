"""Exports a trained generator as a SavedModel that serves photos -> cinemagraph frames.

    python -m cinegen_tf.export --checkpoint=runs/water --output=exported/water
    python -m cinegen_tf.export --checkpoint=runs/eight_rnn_dqn --output=exported/eight \
        --num_frames=27 --loop=pingpong --temperature=1

Load it without this package: `tf.saved_model.load(DIR).signatures["serving_default"]
(image=uint8 (H, W, 3))["frames"]` -> uint8 (L, H, W, 3); see
cinegen_tf/inference/export_lib.py for the signatures. A mistake is one line on stderr
(`--verbose` shows the traceback).
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # cinemagraph_flags imports TensorFlow

from absl import flags  # noqa: E402

from cinegen_tf import cinemagraph_flags  # noqa: E402
from cinegen_tf.inference import export_lib  # noqa: E402

_OUTPUT = flags.DEFINE_string("output", None, "SavedModel folder to write (an existing "
                              "SavedModel there is replaced; --temperature > 0 samples with "
                              "the signature's seed).")
flags.adopt_module_key_flags(cinemagraph_flags)  # listed by --help too
flags.mark_flags_as_required(["checkpoint", "output"])


def _main(argv):
    del argv
    print(export_lib.export_checkpoint(cinemagraph_flags.CHECKPOINT.value, _OUTPUT.value,
                                       cinemagraph_flags.options()))
    return 0


def main():
    cli.run(_main)  # exits with _main's return value


if __name__ == "__main__":
    main()
