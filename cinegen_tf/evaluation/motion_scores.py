"""How a generated cinemagraph moves, scored against the real clip it should imitate.

All measures work on luminance Y = 0.299 R + 0.587 G + 0.114 B in grey levels [0, 255]
(float32). Both clips must share H and W (bring them to 160 px wide with
`resize_to_width` first) and the frame rate `fps`; their frame counts may differ.

- moving(x): temporal std (ddof=0) of Y at pixel x exceeds MOVING_STD grey levels.
- recall: share of real-moving pixels that also move in ours.
- still_kept: share of real-still pixels that stay still in ours.
- motion_ratio: ours / real mean speed |Y_t - Y_{t-1}| * fps (grey levels per second),
  both averaged over consecutive frame pairs and over the REAL moving region.
- direction: mean cosine similarity between ours' and the real clip's time-averaged
  optical flow, over pixels where the real flow magnitude exceeds FLOW_MIN px/frame;
  where ours' flow is ~0 the cosine counts as 0.
- seam: mean |Y_last - Y_first| of the full loop over its mean ordinary step
  |Y_t - Y_{t-1}|; 1 means the loop closes like any other step.

Undefined measures (empty region, zero denominator) are NaN; `summarize` takes the
NaN-ignoring median across clips.

No TensorFlow here: NumPy, scikit-image and Pillow only.
"""
import numpy as np
from PIL import Image
from skimage.registration import optical_flow_ilk

MOVING_STD = 3.0   # grey levels; temporal std above this means "moving"
FLOW_MIN = 0.15    # px/frame; real flow magnitude above this is scored for direction
_FLOW_EPS = 1e-6   # px/frame; ours' flow below this counts as cosine 0
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)

KEYS = ("recall", "still_kept", "motion_ratio", "direction", "seam",
        "real_moving_share", "ours_moving_share")


def _check_frames(name, frames, min_frames=2):
    """Raises ValueError unless `frames` is uint8 (T, H, W, 3) with T >= min_frames."""
    if not isinstance(frames, np.ndarray) or frames.dtype != np.uint8:
        raise ValueError(f"{name} must be a uint8 numpy array, got "
                         f"{getattr(frames, 'dtype', type(frames).__name__)}")
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (T, H, W, 3), got {frames.shape}")
    if frames.shape[0] < min_frames:
        raise ValueError(f"{name} needs at least {min_frames} frames, got {frames.shape[0]}")
    if frames.shape[1] < 1 or frames.shape[2] < 1:
        raise ValueError(f"{name} has an empty frame size {frames.shape[1:3]}")


def luminance(frames):
    """Luminance of RGB frames.

    Args:
        frames: uint8 (T, H, W, 3), RGB in [0, 255].

    Returns:
        float32 (T, H, W), Y = 0.299 R + 0.587 G + 0.114 B in grey levels [0, 255].
    """
    _check_frames("frames", frames, min_frames=1)
    return (frames.astype(np.float32) @ _LUMA).astype(np.float32)


def moving_mask(frames):
    """Pixels whose luminance moves over time.

    Args:
        frames: uint8 (T, H, W, 3) with T >= 2.

    Returns:
        bool (H, W): True where the temporal std (ddof=0) of Y exceeds MOVING_STD.
    """
    _check_frames("frames", frames)
    return luminance(frames).std(axis=0) > MOVING_STD


def mean_flow(frames):
    """Time-averaged optical flow (iterative Lucas-Kanade, skimage, radius 7).

    Args:
        frames: uint8 (T, H, W, 3) with T >= 2.

    Returns:
        float32 (2, H, W) in px/frame: mean over consecutive pairs of
        `optical_flow_ilk(Y_{t-1}, Y_t)`; index 0 is the row (v, downward) component,
        index 1 the column (u, rightward) component, skimage's convention.
    """
    _check_frames("frames", frames)
    y = luminance(frames)
    total = np.zeros((2,) + y.shape[1:], np.float64)
    for t in range(1, len(y)):
        total += optical_flow_ilk(y[t - 1], y[t])
    return (total / (len(y) - 1)).astype(np.float32)


def _mean_step(y, region=None):
    """Mean |Y_t - Y_{t-1}| over pairs and pixels (of bool (H, W) `region` if given)."""
    diff = np.abs(np.diff(y, axis=0))
    if region is not None:
        diff = diff[:, region]
    return float(diff.mean(dtype=np.float64))


def _safe_share(numer, denom):
    return float(numer) / float(denom) if denom else float("nan")


def score(ours, real, fps, ours_loop=None, with_direction=True):
    """Scores how `ours` moves compared with `real`.

    Args:
        ours: uint8 (T1, H, W, 3), the generated cinemagraph, T1 >= 2.
        real: uint8 (T2, H, W, 3), the real clip, same H and W, T2 >= 2.
        fps: float > 0, frames per second of both clips.
        ours_loop: optional uint8 (L, H', W', 3), L >= 2, the full loop of ours for the
            seam; defaults to `ours`.
        with_direction: compute the (slower) optical-flow direction score; if False
            `direction` is NaN.

    Returns:
        dict[str, float] with keys KEYS: recall, still_kept, direction in their ranges
        ([0, 1], [0, 1], [-1, 1]), motion_ratio >= 0, seam >= 0 (inf for a still loop
        that jumps), real_moving_share and ours_moving_share in [0, 1]. NaN marks an
        undefined measure.

    Raises:
        ValueError: on a wrong dtype, rank, channel count, H/W mismatch, fps <= 0 or
            fewer than 2 frames.
    """
    _check_frames("ours", ours)
    _check_frames("real", real)
    if ours.shape[1:3] != real.shape[1:3]:
        raise ValueError(f"ours and real differ in (H, W): {ours.shape[1:3]} vs "
                         f"{real.shape[1:3]}")
    if (isinstance(fps, bool) or not isinstance(fps, (int, float, np.number))
            or not np.isfinite(fps) or fps <= 0):
        raise ValueError(f"fps must be a finite number > 0, got {fps!r}")
    if ours_loop is None:
        ours_loop = ours
    _check_frames("ours_loop", ours_loop)

    y_ours, y_real = luminance(ours), luminance(real)
    real_moving = y_real.std(axis=0) > MOVING_STD
    ours_moving = y_ours.std(axis=0) > MOVING_STD
    n_real = int(real_moving.sum())
    n_still = real_moving.size - n_real
    result = {
        "recall": _safe_share((real_moving & ours_moving).sum(), n_real),
        "still_kept": _safe_share((~real_moving & ~ours_moving).sum(), n_still),
        "real_moving_share": float(real_moving.mean()),
        "ours_moving_share": float(ours_moving.mean()),
    }

    speed_real = _mean_step(y_real, real_moving) * fps if n_real else 0.0
    speed_ours = _mean_step(y_ours, real_moving) * fps if n_real else 0.0
    result["motion_ratio"] = speed_ours / speed_real if speed_real > 0 else float("nan")

    result["direction"] = float("nan")
    if with_direction:
        flow_real, flow_ours = mean_flow(real), mean_flow(ours)
        mag_real = np.linalg.norm(flow_real, axis=0)
        mag_ours = np.linalg.norm(flow_ours, axis=0)
        where = mag_real > FLOW_MIN
        if where.any():
            dot = (flow_real * flow_ours).sum(axis=0)[where]
            mo = mag_ours[where]
            cos = np.where(mo < _FLOW_EPS, 0.0,
                           dot / (mag_real[where] * np.maximum(mo, _FLOW_EPS)))
            result["direction"] = float(np.clip(cos, -1.0, 1.0).mean())

    y_loop = luminance(ours_loop)
    jump = float(np.abs(y_loop[-1] - y_loop[0]).mean(dtype=np.float64))
    step = _mean_step(y_loop)
    if step > 0:
        result["seam"] = jump / step
    else:
        result["seam"] = 0.0 if jump == 0 else float("inf")
    return {key: float(result[key]) for key in KEYS}


def resize_to_width(frames, width=160):
    """Resizes every frame to `width` columns, keeping the aspect ratio.

    Args:
        frames: uint8 (T, H, W, 3).
        width: int > 0, target width in pixels.

    Returns:
        uint8 (T, max(1, round(H * width / W)), width, 3); PIL BOX (area) filter when
        shrinking, BICUBIC when enlarging, an unchanged copy at equal width.
    """
    _check_frames("frames", frames, min_frames=1)
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be a positive int, got {width!r}")
    h, w = frames.shape[1:3]
    if w == width:
        return frames.copy()
    height = max(1, int(round(h * width / w)))
    method = Image.Resampling.BOX if width < w else Image.Resampling.BICUBIC
    return np.stack([np.asarray(Image.fromarray(f).resize((width, height), method))
                     for f in frames]).astype(np.uint8)


def summarize(rows, key):
    """NaN-ignoring median of `key` across score dicts (NaN if none is finite or no rows).

    Args:
        rows: list of dicts as returned by `score`.
        key: one of KEYS.

    Returns:
        float, the nanmedian (inf values take part).
    """
    values = np.array([row[key] for row in rows], np.float64)
    if values.size == 0 or np.isnan(values).all():
        return float("nan")
    return float(np.nanmedian(values))
