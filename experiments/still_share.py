"""How much of a photo stays still in the cinemagraph a checkpoint makes of it.

    python -m experiments.still_share --workdir=workdirs/quickstart --photos=a.jpg,b.png

For each photo: the share of pixels that stay exactly the photo's in every frame that
`generate` returns (before encoding), then, for the GIF, MP4 and WebP it writes, the
share of pixels that do not change over time once decoded and the mean grey-level error
of the decoded frame 0 against the photo (beside the error of the photo encoded alone:
what the encoder costs a still picture). MP4 pads odd sizes to even; the padding is
cropped before scoring. One Markdown row per photo and format.
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # the generator's checkpoint loads through TensorFlow

import os  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402
from absl import flags  # noqa: E402

from cinegen_tf import cinemagraph  # noqa: E402
from cinegen_tf.inference import image_io  # noqa: E402
from cinegen_tf.inference.writers import read_cinemagraph  # noqa: E402
from cinegen_tf.training.checkpoints import load_generator  # noqa: E402

_WORKDIR = flags.DEFINE_string("workdir", None, "Training workdir of the generator.",
                               required=True)
_PHOTOS = flags.DEFINE_list("photos", None, "Photos, comma-separated.", required=True)
_NUM_FRAMES = flags.DEFINE_integer("num_frames", 16, "Frames before looping.", lower_bound=2)
FORMATS = ("gif", "mp4", "webp")


def still_share(frames, photo):
    """Share of pixels equal to `photo` (H, W, 3) in every frame of `frames` (L, H, W, 3)."""
    return float((frames == photo).all(axis=(0, 3)).mean())


def score(frames, photo, folder):
    """{format: (unchanging share, frame-0 error, photo-alone error)} of the written files."""
    height, width = photo.shape[:2]
    scores = {}
    for extension in FORMATS:
        path = cinemagraph.write_cinemagraph(frames, os.path.join(folder, f"c.{extension}"))
        alone = cinemagraph.write_cinemagraph(np.stack([photo] * 2),
                                              os.path.join(folder, f"a.{extension}"))
        decoded = read_cinemagraph(path)[:, :height, :width].astype(int)
        reference = read_cinemagraph(alone)[0, :height, :width].astype(int)
        scores[extension] = (still_share(decoded, decoded[0]),
                             float(np.abs(decoded[0] - photo).mean()),
                             float(np.abs(reference - photo).mean()))
    return scores


def _main(argv):
    del argv
    photos = _PHOTOS.value
    if not photos:
        raise cli.UserError("--photos: give one or more photos")
    photos = {path: image_io.load_image(path) for path in photos}  # refuse a bad one first
    generator, _ = load_generator(_WORKDIR.value)
    print("| photo | size | still before encoding | format | unchanging once decoded "
          "| frame 0 error (grey levels) | photo alone |")
    print("|---|---|---|---|---|---|---|")
    for path, photo in photos.items():
        result = cinemagraph.generate_cinemagraph(generator, photo,
                                                  num_frames=_NUM_FRAMES.value)
        before = still_share(result.frames, photo)
        with tempfile.TemporaryDirectory() as folder:
            scores = score(result.frames, photo, folder)
        for extension, (unchanging, error, alone) in scores.items():
            print(f"| {os.path.basename(path)} | {photo.shape[1]}x{photo.shape[0]} "
                  f"| {before:.1%} | {extension} | {unchanging:.1%} | {error:.2f} | {alone:.2f} |")


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
