"""Still photo -> looping cinemagraph, from Python: the package's one facade.

    from cinegen_tf.cinemagraph import make_cinemagraph, write_cinemagraph

    frames = make_cinemagraph(None, "photo.jpg")     # the bundled motion model
    write_cinemagraph(frames, "photo.mp4", fps=24)   # uint8 (48, H, W, 3): 2 s at 24 fps

    from cinegen_tf.training.checkpoints import load_generator
    generator, config = load_generator("runs/water")  # a generator trained by cinegen_tf.train
    frames = make_cinemagraph(generator, "photo.jpg")

With no generator, the bundled motion model (ours, not in the paper; trained on real
water and fire clips, cinegen_tf/motion/MODEL_CARD.md) animates the photo at its full
resolution, NumPy and OpenCV only: this module imports TensorFlow only for a trained
generator (`cinegen_tf.inference.trained_generator`, whose `generate_cinemagraph`,
`Cinemagraph` and `cinemagraph_module` are reachable from here too).
"""
import importlib

from cinegen_tf.inference import image_io
from cinegen_tf.inference.looping import LOOP_MODES  # noqa: F401 (re-exported)
from cinegen_tf.inference.writers import write_cinemagraph  # noqa: F401 (re-exported)
from cinegen_tf.motion import model as motion_model

_TRAINED = ("Cinemagraph", "generate_cinemagraph", "cinemagraph_module")


def __getattr__(name):
    if name in _TRAINED:  # TensorFlow only when a trained generator is asked for
        return getattr(importlib.import_module("cinegen_tf.inference.trained_generator"), name)
    if name == "CinemagraphOptions":
        return importlib.import_module("cinegen_tf.inference.options").CinemagraphOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def animate(image, num_frames=motion_model.LOOP_FRAMES, fps=motion_model.LOOP_FPS,
            mask=None, seed=0, weights=None):
    """A photo -> a seamless loop with the motion model (ours, not in the paper).

    Args:
      image: a path to a photo, or an array uint8/uint16 (H, W[, 1|3|4]).
      num_frames: N >= 2 frames in the loop; frame N would be frame 0 again.
      fps: the rate it plays at (the model predicts motion per second).
      mask: None, a path or an array (h, w) of any size: where the photo may move.
      seed: the random phases of what sways and flickers.
      weights: a weights file from `cinegen_tf.train_motion`; None = the bundled one.

    Returns:
      uint8 (N, H, W, 3); frame 0 is the photo (downscaled to 1920 px on its long
      side if larger), still pixels are the photo's in every frame.
    """
    return motion_model.load(weights).animate(image_io.read_photo(image), num_frames, fps,
                                              seed=seed, mask=image_io.read_mask(mask))


def make_cinemagraph(generator=None, image=None, num_frames=None, loop="crossfade",
                     mask=None, full_resolution=True, temperature=0.0, seed=None,
                     **kwargs):
    """Photo -> looping frames, uint8 (L, H, W, 3).

    `generator` None: the bundled motion model (`animate`; `num_frames` default 48,
    `fps=` 24 as a keyword, `seed` default 0; loop, full_resolution and temperature
    belong to trained generators). Otherwise a trained generator
    (`trained_generator.generate_cinemagraph`; `num_frames` default 21).
    """
    if generator is None:
        return animate(image, num_frames or motion_model.LOOP_FRAMES,
                       kwargs.pop("fps", motion_model.LOOP_FPS),
                       mask=mask, seed=0 if seed is None else seed, **kwargs)
    from cinegen_tf.inference import trained_generator  # pylint: disable=import-outside-toplevel
    return trained_generator.generate_cinemagraph(
        generator, image, num_frames or 21, loop, mask, full_resolution, temperature, seed,
        **kwargs).frames
