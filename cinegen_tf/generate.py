"""Turns a photo (or a folder of photos) into a looping cinemagraph.

    python -m cinegen_tf.generate --input=photo.jpg --output=photo.mp4
    python -m cinegen_tf.generate --input=photos/ --output=gifs/ --format=gif
    python -m cinegen_tf.generate --checkpoint=runs/water --input=photo.jpg --output=out.gif
    python -m cinegen_tf.generate --checkpoint=runs/eight_rnn_dqn --input=photo.png \
        --output=out.webp --temperature=1 --seed=3 --mask=sky_mask.png

Without --checkpoint, the bundled motion model (ours, not in the paper: learned from real
water and fire clips, cinegen_tf/motion/MODEL_CARD.md) animates the photo at its own
resolution as a seamless 2-second loop, 48 frames at 24 fps, without importing
TensorFlow. With --checkpoint, a generator trained by `cinegen_tf.train` makes it.
Output format by extension: .gif, .mp4, .webp. Errors are one line on stderr and a
non-zero exit status (`--verbose` shows the traceback); in folder mode bad photos are
reported and skipped (exit 1 at the end if any was). The first output frame is the photo.
"""
import sys

from absl import flags
from absl import logging

from cinegen_tf import cinemagraph_flags
from cinegen_tf import cli
from cinegen_tf.inference import generate_lib, writers

_INPUT = flags.DEFINE_string("input", None, "A photo (JPEG, PNG, WebP, BMP, GIF, ...) or a "
                             "folder of photos.")
_OUTPUT = flags.DEFINE_string("output", None, "Output file (.gif, .mp4, .webp), or a folder "
                              "(named after the photo); missing folders are created. MP4 "
                              "is yuv420p: an odd width or height gets one more column or "
                              "row, a copy of the last.")
_FORMAT = flags.DEFINE_enum("format", "gif", sorted(set(writers.FORMATS.values())),
                            "Output format when writing into a folder.")
_MASK = flags.DEFINE_string("mask", None, "Optional mask image of any size: white = may move, "
                            "black = frozen. Default: the model's own motion region.")
_FPS = flags.DEFINE_float("fps", None, "Frames per second (default 24 for the motion model, "
                          f"{writers.DEFAULT_FPS:g} for a checkpoint).")
_QUALITY = flags.DEFINE_integer("quality", writers.DEFAULT_QUALITY, "1..100, WebP and MP4.")
_SEED = flags.DEFINE_integer("seed", None, "Seed of sampled actions (default random, "
                             "logged), or of the motion model's phases (default 0).")
_WEIGHTS = flags.DEFINE_string("weights", None, "Without --checkpoint: a motion model "
                               "weights file from cinegen_tf.train_motion (default: the "
                               "bundled one).")
flags.adopt_module_key_flags(cinemagraph_flags)  # listed by --help too
flags.mark_flags_as_required(["input", "output"])


def _main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    checkpoint = cinemagraph_flags.CHECKPOINT.value
    if checkpoint is None:
        given = [f"--{name}" for name in cinemagraph_flags.TRAINED_ONLY
                 if flags.FLAGS[name].present]
        if given:
            raise cli.UserError(f"{', '.join(given)}: only for a --checkpoint model; the "
                                f"motion model loops by construction")
        options = None
    else:
        if _WEIGHTS.value is not None:
            raise cli.UserError("--weights: the motion model's; not with --checkpoint")
        cli.quiet_tensorflow()
        options = cinemagraph_flags.options()
    report = generate_lib.run(
        checkpoint, _INPUT.value, _OUTPUT.value, options, mask=_MASK.value,
        seed=_SEED.value, fps=_FPS.value, quality=_QUALITY.value,
        output_format=_FORMAT.value, num_frames=cinemagraph_flags.num_frames(),
        weights=_WEIGHTS.value)
    for path in report.written:
        print(path if path not in report.seeds else f"{path} (--seed={report.seeds[path]})")
    if report.failed:
        print(f"error: {len(report.failed)} of {len(report.failed) + len(report.written)} "
              f"photos skipped", file=sys.stderr)
        return 1
    return 0


def main():
    cli.run(_main, tensorflow=False)  # exits with _main's return value


if __name__ == "__main__":
    main()
