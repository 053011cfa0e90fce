"""What the motion model learns from: per-pixel motion statistics of real clips (ours, not
in the paper).

A *window* is one second of a real clip, read whole (aspect kept) at `WIDTH` = 160 px
wide, the width the model sees and `experiments.real_motion` scores at. Its targets,
computed once with a classical optical-flow estimator (scikit-image's ILK, pairs about
1/12 s apart) and kept in the prepared cache (`cinegen_tf/motion/prepared.py`):

    moving     (h, w)     1 where the temporal std of luminance exceeds 3 grey levels
    velocity   (h, w, 2)  time-averaged flow, px/s at 160 px wide, (x, y) = (right, down)
    sway       (h, w, 2)  RMS over time of the flow minus its average, px/s (per axis)
    flicker    (h, w)     RMS change of luminance that the flow does not explain, grey
                          levels/s (|Y_t - Y_{t-1} warped along the flow| / dt)

`velocity` is the steady part that a static (Eulerian) field draws, `sway` the back-and-
forth of waves and flames that averages out, `flicker` the appearance change of fire.
"""
import dataclasses

import numpy as np
from skimage.registration import optical_flow_ilk

from cinegen_tf.motion import render

WIDTH = 160
MOVING_STD = 3.0        # grey levels: the moving-pixel rule of experiments.real_motion
FLOW_RATE = 12.0        # flow pairs per second (consecutive frames of faster clips skipped)
MAX_STEP = 8.0          # px per flow pair: ILK (radius 5) cannot see further; beyond is noise
MAX_FLICKER = 1000.0    # grey levels/s


@dataclasses.dataclass
class Targets:
    """A window's photo and motion statistics (shapes in the module docstring)."""
    photo: np.ndarray      # uint8 (h, w, 3): the window's first frame
    moving: np.ndarray     # float32 (h, w) in {0, 1}
    velocity: np.ndarray   # float32 (h, w, 2), px/s
    sway: np.ndarray       # float32 (h, w, 2), px/s
    flicker: np.ndarray    # float32 (h, w), grey levels/s


def luminance(frames):
    """uint8 (..., 3) -> float32 (...) grey levels in [0, 255]."""
    return np.asarray(frames, np.float32) @ render.LUMA


def warp(image, flow):
    """Samples `image` (h, w[, c]) at x + flow(x) (bilinear, edges clamped).

    Args:
      image: float32 or uint8 (h, w[, c]).
      flow: float32 (h, w, 2), (dx, dy) in pixels.
    """
    return render.sample(image, render.grid(*flow.shape[:2]) + flow)


def flow_pairs(num_frames, fps):
    """Frame index pairs (i, j) about 1/FLOW_RATE s apart, and the stride j - i."""
    stride = max(1, int(round(fps / FLOW_RATE)))
    starts = range(0, num_frames - stride, stride)
    return [(i, i + stride) for i in starts], stride


def window_flows(frames, fps):
    """ILK flows of one window.

    Args:
      frames: uint8 (T, h, w, 3), T >= 2, at `fps` frames per second.

    Returns:
      (flows float32 (P, h, w, 2) in px/s with (x, y) order, residual float32 (P, h, w):
      |Y_j - Y_i warped along the flow| per second).
    """
    if len(frames) < 2:
        raise ValueError(f"a window needs >= 2 frames, got {len(frames)}")
    y = luminance(frames)
    pairs, stride = flow_pairs(len(frames), fps)
    dt = stride / fps
    flows, residuals = [], []
    for i, j in pairs:
        vy, vx = optical_flow_ilk(y[j], y[i], radius=5)  # where each pixel of j came from in i
        back = np.stack([vx, vy], -1).astype(np.float32)
        speed = np.linalg.norm(back, axis=-1, keepdims=True)
        back *= np.minimum(1.0, MAX_STEP / np.maximum(speed, 1e-6))
        residuals.append(np.abs(y[j] - warp(y[i], back)) / dt)
        flows.append(-back / dt)  # forward motion: content at x - back moves to x
    return np.stack(flows), np.stack(residuals)


def window_targets(frames, fps):
    """One window (uint8 (T, h, w, 3) at `fps`) -> its `Targets`."""
    frames = np.asarray(frames)
    flows, residuals = window_flows(frames, fps)
    mean = flows.mean(0)
    # Flow in still, flat regions (black around keyed flames, sky) is the estimator's
    # noise: where the clip does not move, every motion target is 0.
    moving = (luminance(frames).std(0) > MOVING_STD).astype(np.float32)
    return Targets(
        photo=frames[0],
        moving=moving,
        velocity=mean * moving[..., None],
        sway=np.sqrt(((flows - mean) ** 2).mean(0)) * moving[..., None],
        flicker=np.minimum(np.sqrt((residuals ** 2).mean(0)), MAX_FLICKER) * moving)
