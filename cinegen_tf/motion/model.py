"""The motion model as a product: weights file -> photo -> looping frames (ours, not in
the paper). NumPy and OpenCV only: no TensorFlow at inference.

    from cinegen_tf.motion.model import load_bundled
    model = load_bundled()                                   # the weights in the package
    frames = model.animate(photo, num_frames=48, fps=24)     # uint8 (48, H, W, 3)

The weights file is an .npz of `<layer>/kernel`, `<layer>/bias` (float32) and `meta`
(JSON: format version, training data, command, steps, seed); `MODEL_CARD.md` beside the
bundled file says how it was made and what it scores.
"""
import dataclasses
import functools
import io
import json
import os
import zipfile

import cv2
import numpy as np

from cinegen_tf.motion import network, render

BUNDLED_WEIGHTS = os.path.join(os.path.dirname(__file__), "weights", "motion_net.npz")
FORMAT = "cinegen_tf.motion_net/1"
LOOP_FRAMES = 48          # the default loop: 2 s at LOOP_FPS
LOOP_FPS = 24.0
MIN_SIDE = 32             # smaller photos have too few pixels to move
MAX_SIDE = 1920           # larger photos are animated at this long side (memory: 48 frames)
RETRAIN = "python -m cinegen_tf.train_motion (see cinegen_tf/motion/MODEL_CARD.md)"


class WeightsError(ValueError):
    """A weights file that cannot be used; the message names it and why."""


def save_weights(path, weights, meta):
    """Writes {name: (kernel, bias)} and a meta dict as a weights file (atomically)."""
    from cinegen_tf.training.checkpoints import write_atomically  # pylint: disable=import-outside-toplevel
    arrays = {f"{name}/{part}": np.asarray(value, np.float32)
              for name, pair in weights.items() for part, value in zip(("kernel", "bias"), pair)}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=json.dumps(dict(meta, format=FORMAT)), **arrays)
    write_atomically(path, buffer.getvalue())


def load_weights(path):
    """Reads and checks a weights file -> ({name: (kernel, bias)}, meta dict).

    Raises:
      WeightsError naming the file: missing, not an .npz, a layer missing or misshaped,
      values not finite, another format.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise WeightsError(f"{path}: motion model weights not found; reinstall cinegen_tf "
                           f"or retrain with {RETRAIN}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise WeightsError(f"{path}: damaged motion model weights ({type(error).__name__}: "
                           f"{str(error).splitlines()[0] if str(error) else ''}); "
                           f"reinstall cinegen_tf or retrain with {RETRAIN}") from error
    if meta.get("format") != FORMAT:
        raise WeightsError(f"{path}: not a {FORMAT} weights file (format "
                           f"{meta.get('format')!r})")
    weights = {}
    for name, (kernel_shape, bias_shape) in network.reference_shapes().items():
        kernel, bias = arrays.get(f"{name}/kernel"), arrays.get(f"{name}/bias")
        if kernel is None or bias is None:
            raise WeightsError(f"{path}: damaged motion model weights (layer {name} missing)")
        if kernel.shape != kernel_shape or bias.shape != bias_shape:
            raise WeightsError(f"{path}: damaged motion model weights (layer {name}: "
                               f"{kernel.shape} / {bias.shape}, expected {kernel_shape} / "
                               f"{bias_shape})")
        if not (np.all(np.isfinite(kernel)) and np.all(np.isfinite(bias))):
            raise WeightsError(f"{path}: damaged motion model weights (layer {name} is "
                               f"not finite)")
        weights[name] = (kernel.astype(np.float32), bias.astype(np.float32))
    return weights, meta


@dataclasses.dataclass
class MotionModel:
    """MotionNet weights and what they were trained with (`meta`)."""
    weights: dict
    meta: dict

    def fields(self, photo):
        """uint8 (H, W, 3) -> float32 (h, 160, 6) fields of the photo at 160 px wide."""
        return network.numpy_forward(self.weights, render.model_input(photo))

    def animate(self, photo, num_frames=LOOP_FRAMES, fps=LOOP_FPS, seed=0,
                ingredients=render.Ingredients(), mask=None):
        """A photo -> a seamless loop.

        Args:
          photo: uint8 (H, W, 3), each side >= MIN_SIDE; sides above MAX_SIDE are
            downscaled first (`check_photo`).
          num_frames: N >= 2 frames in the loop (frame N would be frame 0 again).
          fps: frame rate the loop plays at (motion is learned per second).
          seed: the random phases of sway and flicker.
          ingredients: which parts of the motion to draw (`render.Ingredients`).
          mask: optional uint8 (h, w) of any size, 255 where the photo may move.

        Returns:
          uint8 (N, H', W', 3), (H', W') the photo's size after `check_photo`;
          frame 0 is that photo exactly.
        """
        photo = check_photo(photo)
        if int(num_frames) < 2:
            raise ValueError(f"num_frames must be >= 2, got {num_frames}")
        if not 0 < fps <= 100:
            raise ValueError(f"fps must be in (0, 100], got {fps}")
        motion = render.motion_from_fields(self.fields(photo), num_frames, fps, seed,
                                           ingredients)
        if mask is not None:
            h, w = motion.alpha.shape
            mask = cv2.resize(np.asarray(mask, np.uint8), (w, h), interpolation=cv2.INTER_AREA)
            motion.alpha = motion.alpha * (mask.astype(np.float32) / 255.0)
        return render.render(photo, motion)


def check_photo(photo, name="photo"):
    """uint8 (H, W, 3) -> the same, or downscaled (area) to MAX_SIDE on its long side.

    Raises:
      ValueError naming `name` when a side is below MIN_SIDE.
    """
    photo = np.asarray(photo)
    if photo.dtype != np.uint8 or photo.ndim != 3 or photo.shape[-1] != 3:
        raise ValueError(f"{name} must be uint8 (H, W, 3), got {photo.dtype} {photo.shape}")
    height, width = photo.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise ValueError(f"{name}: {width}x{height} px is too small to animate (each side "
                         f"needs >= {MIN_SIDE} px)")
    if max(height, width) > MAX_SIDE:
        scale = MAX_SIDE / max(height, width)
        size = (max(MIN_SIDE, round(width * scale)), max(MIN_SIDE, round(height * scale)))
        photo = cv2.resize(photo, size, interpolation=cv2.INTER_AREA)
    return photo


def load(path=None):
    """The `MotionModel` of a weights file (None: the bundled one), cached per path."""
    return _load(BUNDLED_WEIGHTS if path is None else os.fspath(path))


@functools.lru_cache(maxsize=4)
def _load(path):
    return MotionModel(*load_weights(path))


def load_bundled():
    """The motion model that ships with cinegen_tf."""
    return load()
