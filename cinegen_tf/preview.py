r"""Writes an animated GIF and a PNG contact sheet of synthetic sequences.

    python -m cinegen_tf.preview --pattern=eight --num=8 --output=preview.gif

writes preview.gif (the sequences side by side, looping) and preview.png (one row per
sequence). Add `--source=tfds [--data_dir=...]` to look at a prepared TFDS config instead
of freshly rendered sequences. The output's folder is created if missing. A mistake is
one line on stderr (`--verbose` shows the traceback).
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # preview_lib imports TensorFlow

from absl import flags  # noqa: E402
from absl import logging  # noqa: E402

from cinegen_tf.data import preview_lib  # noqa: E402
from cinegen_tf.data import synthetic  # noqa: E402

_PATTERN = flags.DEFINE_enum("pattern", "eight", list(synthetic.PATTERNS), "Motion pattern.")
_NUM = flags.DEFINE_integer("num", 8, "Number of sequences.")
_OUTPUT = flags.DEFINE_string("output", "preview.gif", "GIF path (its folder is created if "
                              "missing); the PNG goes beside it.")
_SEED = flags.DEFINE_integer("seed", 0, "Renderer seed (procedural source).")
_SPLIT = flags.DEFINE_enum("split", "test", list(synthetic.SPLITS), "Split to show.")
_SOURCE = flags.DEFINE_enum("source", "procedural", list(preview_lib.SOURCES),
                            "Render sequences, or read a prepared TFDS config.")
_DATA_DIR = flags.DEFINE_string("data_dir", None, "Prepared TFDS data (tfds source).")
_TFDS_CONFIG = flags.DEFINE_string("tfds_config", None, "TFDS config name (default: pattern).")
_FPS = flags.DEFINE_float("fps", 8.0, "GIF frames per second.")
_SCALE = flags.DEFINE_integer("scale", 2, "Integer upscaling of the images.")


flags.register_validator("output", lambda path: str(path).lower().endswith(".gif"),
                         "must end in .gif (the PNG contact sheet goes beside it)")
flags.register_validator("num", lambda n: n >= 1, "must be >= 1")
flags.register_validator("scale", lambda n: n >= 1, "must be >= 1")
flags.register_validator("fps", lambda fps: 0 < fps <= 100, "must be in (0, 100]")


def _main(argv):
    del argv
    gif_path, png_path = preview_lib.write_preview(
        _OUTPUT.value, _PATTERN.value, _NUM.value, seed=_SEED.value, split=_SPLIT.value,
        source=_SOURCE.value, data_dir=_DATA_DIR.value, tfds_config=_TFDS_CONFIG.value,
        fps=_FPS.value, scale=_SCALE.value)
    logging.info("wrote %s and %s", gif_path, png_path)


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
