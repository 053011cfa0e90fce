"""Turns a photo (or a folder of photos) into a looping cinemagraph with a trained model.

    python -m cinegen_tf.generate --checkpoint=runs/water --input=photo.jpg --output=out.gif
    python -m cinegen_tf.generate --checkpoint=runs/water --input=photos/ --output=gifs/ \
        --format=mp4
    python -m cinegen_tf.generate --checkpoint=runs/eight_rnn_dqn --input=photo.png \
        --output=out.webp --temperature=1 --seed=3 --mask=sky_mask.png

Output format by extension: .gif, .mp4, .webp. Errors are one line on stderr and a
non-zero exit status (`--verbose` shows the traceback); in folder mode bad photos are
reported and skipped (exit 1 at the end if any was). The first output frame is the photo;
a pixel moves only where the model's frames change over time (see --motion_threshold).
"""
import sys

from cinegen_tf import cli

cli.quiet_tensorflow()  # cinemagraph_flags imports TensorFlow

from absl import flags  # noqa: E402
from absl import logging  # noqa: E402

from cinegen_tf import cinemagraph_flags  # noqa: E402
from cinegen_tf.inference import generate_lib, writers  # noqa: E402

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
_FPS = flags.DEFINE_float("fps", writers.DEFAULT_FPS, "Frames per second.")
_QUALITY = flags.DEFINE_integer("quality", writers.DEFAULT_QUALITY, "1..100, WebP and MP4.")
_SEED = flags.DEFINE_integer("seed", None, "Seed of sampled actions; default random (logged).")
flags.adopt_module_key_flags(cinemagraph_flags)  # listed by --help too
flags.mark_flags_as_required(["checkpoint", "input", "output"])


def _main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)
    report = generate_lib.run(
        cinemagraph_flags.CHECKPOINT.value, _INPUT.value, _OUTPUT.value,
        cinemagraph_flags.options(), mask=_MASK.value,
        seed=_SEED.value, fps=_FPS.value, quality=_QUALITY.value,
        output_format=_FORMAT.value)
    for path in report.written:
        print(path if path not in report.seeds else f"{path} (--seed={report.seeds[path]})")
    if report.failed:
        print(f"error: {len(report.failed)} of {len(report.failed) + len(report.written)} "
              f"photos skipped", file=sys.stderr)
        return 1
    return 0


def main():
    cli.run(_main)  # exits with _main's return value


if __name__ == "__main__":
    main()
