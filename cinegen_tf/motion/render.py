"""Rendering motion fields as a seamless loop at the photo's full resolution (ours, not in
the paper).

Eulerian motion (Holynski et al., CVPR 2021) for the steady flow, plus low-frequency
oscillation (after Li et al.'s spectral volumes, CVPR 2024) for what goes back and
forth, plus an intensity flicker. All displacements are traced at the fields' own small
scale (~160 px wide) and upsampled; only the final sampling of the photo runs at full
resolution (OpenCV's remap).

    steady:  p_t = p_{t-1} - v(p_{t-1}), p_0 = x          (where frame t's pixel x was
             q_k = q_{k-1} + v(q_{k-1}), q_0 = x           at time 0 / will be at N)
             frame_t = (1 - t/N) photo(p_t) + (t/N) photo(q_{N-t})   (symmetric loop)
    sway:    d_t(x) = sum_j A_j(x) (sin(w_j t + phi_j(x)) - sin(phi_j(x))), w_j = 2 pi k_j / N
    flicker: gain_t(x) = sum_j B_j(x) (sin(w_j t + psi_j(x)) - sin(psi_j(x)))

Frame 0 is the photo exactly, and frame N would be again: the loop closes on itself.
Pixels the model calls still (alpha 0) are the photo's in every frame. The phases phi,
psi are smooth random fields (seeded): the model predicts how much a pixel sways or
flickers, the phases are drawn, as no single photo says where a wave is in its cycle.
Backward sampling (gather) instead of forward splatting: no holes, no z-buffer, and the
same loop.
"""
import dataclasses

import cv2
import numpy as np

from cinegen_tf.motion import network

SWAY_HZ = (0.8, 2.0)       # oscillation components, rounded to whole cycles per loop
FLICKER_HZ = (2.0, 5.0)
PHASE_SIGMA = 0.12         # smoothness of the phase fields, as a share of the width
PHASE_STD = 2.0            # radians: how far apart in its cycle a wave is across the photo
LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # RGB -> luminance (grey levels)
MAX_GAIN = 0.6             # flicker changes brightness by at most +-60%
MAX_SWAY = 1.5             # px at the fields' scale (160 px wide): the largest sway
                           # excursion; more melts stone and trees the model is unsure of


@dataclasses.dataclass(frozen=True)
class Ingredients:
    """Which parts of the motion to draw (the ablation of experiments.real_motion)."""
    steady: bool = True
    sway: bool = True
    flicker: bool = True
    threshold: float = 0.65    # moving probability above which a pixel moves (calibrated
                               # on the train split: still kept >= 0.9 per category)


def alpha_map(fields, threshold=0.5, softness=0.1):
    """Moving probability (h, w, 6 fields) -> alpha float32 (h, w) in [0, 1]."""
    prob = 1.0 / (1.0 + np.exp(-fields[..., 0]))
    return np.clip((prob - threshold) / softness + 0.5, 0.0, 1.0).astype(np.float32)


def grid(h, w):
    """float32 (h, w, 2): each pixel's own (x, y)."""
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return np.stack([gx, gy], -1)


def sample(field, points):
    """field (h, w[, c]) at points (h', w', 2) (x, y), bilinear, edges clamped."""
    return cv2.remap(field, points[..., 0], points[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def integrate(velocity, steps, sign):
    """Eulerian integration of a static field.

    Args:
      velocity: float32 (h, w, 2), px/frame (x, y).
      steps: number of steps K.
      sign: -1 traces back to where the content came from, +1 to where it goes.

    Returns:
      float32 (K + 1, h, w, 2): displacement after 0 .. K steps (entry 0 is zero).
    """
    start = grid(*velocity.shape[:2])
    points, out = start.copy(), [np.zeros_like(start)]
    for _ in range(steps):
        points = points + sign * sample(velocity, points)
        out.append(points - start)
    return np.stack(out)


def phase_field(shape, rng):
    """A smooth random phase field float32 (h, w) with std PHASE_STD radians (smoother,
    more coherent fields than 0.05 / 3.0 rad, which drew swirls in skies)."""
    h, w = shape
    noise = rng.standard_normal((h, w)).astype(np.float32)
    sigma = max(1.0, PHASE_SIGMA * w)
    smooth = cv2.GaussianBlur(noise, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    return smooth / (smooth.std() + 1e-6) * PHASE_STD


def oscillation(amplitude, num_frames, fps, hertz, rng, limit=None):
    """Zero-at-frame-0, N-periodic oscillation of per-pixel RMS rate `amplitude` (units/s).

    Args:
      amplitude: float32 (h, w) or (h, w, c): RMS of the rate of change, per second.
      num_frames: N, the loop length; components get whole cycles per loop.
      hertz: component frequencies (each rounded to >= 1 cycle per loop).
      limit: optional cap of each component's excursion (same units as the output).

    Returns:
      float32 (N, *amplitude.shape) values (displacement or gain) per frame.
    """
    t = np.arange(num_frames, dtype=np.float32).reshape((-1,) + (1,) * amplitude.ndim)
    out = np.zeros((num_frames,) + amplitude.shape, np.float32)
    per_frame = amplitude / fps / np.sqrt(len(hertz))
    for hz in hertz:
        cycles = max(1, int(round(hz * num_frames / fps)))
        omega = 2 * np.pi * cycles / num_frames
        phase = np.stack([phase_field(amplitude.shape[:2], rng)
                          for _ in range(amplitude.shape[2] if amplitude.ndim == 3 else 1)], -1)
        phase = phase.reshape(amplitude.shape)
        excursion = np.sqrt(2) * per_frame / omega
        if limit is not None:
            excursion = np.minimum(excursion, limit / len(hertz))
        out += excursion * (np.sin(omega * t + phase) - np.sin(phase))
    return out


@dataclasses.dataclass
class Motion:
    """A loop's motion at the fields' scale (h, w); N = num_frames.

    Attributes:
      alpha: float32 (h, w) in [0, 1], where the photo may move.
      back: float32 (N, h, w, 2), displacement to sample frame t from (forward part).
      ahead: float32 (N, h, w, 2) or None, the backward part's displacement.
      weight: float32 (N,), the share of `ahead` in frame t (None: 0).
      gain: float32 (N, h, w) or None, brightness change per frame in grey levels (drawn
        as a relative change: divided by the photo's luminance, at least 16).
    """
    alpha: np.ndarray
    back: np.ndarray
    ahead: np.ndarray | None = None
    weight: np.ndarray | None = None
    gain: np.ndarray | None = None


def motion_from_fields(fields, num_frames, fps, seed=0, ingredients=Ingredients()):
    """Model fields (h, w, 6) at 160 px wide -> the loop's `Motion` at that scale."""
    rng = np.random.default_rng(seed)
    n = int(num_frames)
    alpha = alpha_map(fields, ingredients.threshold)
    # The amounts are learned where a clip moves; where the model is unsure that the
    # pixel moves, draw the expected amount (times the chance that it moves).
    expected = alpha / (1.0 + np.exp(-fields[..., 0]))
    a = expected[..., None]
    zero = np.zeros((n,) + fields.shape[:2] + (2,), np.float32)
    back, ahead, weight = zero, None, None
    if ingredients.steady:
        v = fields[..., 1:3] / fps * a
        back = integrate(v, n - 1, -1.0)[:n]
        ahead = integrate(v, n, +1.0)[::-1][:n]      # entry t: N - t steps ahead
        weight = np.arange(n, dtype=np.float32) / n
    if ingredients.sway:
        sway = oscillation(fields[..., 3:5] * a, n, fps, SWAY_HZ, rng, limit=MAX_SWAY)
        back = back - sway
        ahead = None if ahead is None else ahead - sway
    gain = None
    if ingredients.flicker:
        # Grey levels here; `render` makes it relative to the photo's brightness.
        gain = oscillation(fields[..., 5] * expected, n, fps, FLICKER_HZ, rng)
    return Motion(alpha=alpha, back=back, ahead=ahead, weight=weight, gain=gain)


def render(photo, motion):
    """Draws a `Motion` on the photo at full resolution.

    Args:
      photo: uint8 (H, W, 3).
      motion: a `Motion` at any scale (h, w); displacements are in its pixels.

    Returns:
      uint8 (N, H, W, 3); frame 0 is the photo, pixels with alpha 0 are the photo's.
    """
    photo = np.ascontiguousarray(photo, dtype=np.uint8)
    height, width = photo.shape[:2]
    n, h, w = motion.back.shape[:3]
    up = lambda f: cv2.resize(f, (width, height), interpolation=cv2.INTER_LINEAR)  # noqa
    alpha = up(motion.alpha)
    rows = np.flatnonzero(alpha.max(1) > 0)
    cols = np.flatnonzero(alpha.max(0) > 0)
    frames = np.repeat(photo[None], n, axis=0)
    if not len(rows):
        return frames
    # Only the box around the moving region is resampled; the rest stays the photo.
    # frame = photo + alpha (moved * (1 + gain) - photo), in OpenCV's SIMD arithmetic.
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    box = (slice(y0, y1), slice(x0, x1))
    points = grid(height, width)[box]
    scale = np.array([width / w, height / h], np.float32)  # field pixels -> photo pixels
    back = motion.back * scale
    ahead = None if motion.ahead is None else motion.ahead * scale
    alpha = alpha[box]
    alpha3 = cv2.merge([alpha] * 3)
    kept = cv2.multiply(photo[box], 1.0 - alpha3, dtype=cv2.CV_32F)  # the photo's share
    inverse_luma = 1.0 / np.maximum(
        photo[box].astype(np.float32) @ LUMA, 16.0)
    for t in range(1, n):
        frame = _remap(photo, cv2.add(points, up(back[t])[box]))
        if ahead is not None and motion.weight[t] > 0:
            other = _remap(photo, cv2.add(points, up(ahead[t])[box]))
            frame = cv2.addWeighted(frame, 1.0 - float(motion.weight[t]), other,
                                    float(motion.weight[t]), 0.0)
        weight = alpha3
        if motion.gain is not None:
            change = np.clip(up(motion.gain[t])[box] * inverse_luma, -MAX_GAIN, MAX_GAIN)
            weight = cv2.merge([alpha * (1.0 + change)] * 3)
        moved = cv2.add(cv2.multiply(frame, weight, dtype=cv2.CV_32F), kept)
        frames[t][box] = cv2.convertScaleAbs(moved)  # rounds, saturates to uint8
    return frames


def _remap(photo, points):
    return cv2.remap(photo, points[..., 0], points[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT)


def model_input(photo, width=None):
    """A photo resized (area) to the model's 160 px width: uint8 (h, 160, 3)."""
    from cinegen_tf.motion.targets import WIDTH  # pylint: disable=import-outside-toplevel
    width = width or WIDTH
    height, w0 = photo.shape[:2]
    h = max(network.MULTIPLE, int(round(height * width / w0)))
    return cv2.resize(photo, (width, h), interpolation=cv2.INTER_AREA)
