"""Seeded numpy renderer of the synthetic cinemagraph dataset (Sec. 4.1, 5.2).

A sequence is a pure function of `(seed, pattern, split, index)`. Its random generator is
`np.random.default_rng([seed, pattern id, split id, index])`, and the draws come in this
fixed order:

1. a texture id in [0, 10);
2. the 3 per-channel multiplicative background offsets, uniform in [0.90, 1.10];
3. the object's RGB colour, uniform in {0..255}^3;
4. the object's size and starting place (`trajectories.sample_motion`), which determine
   the true length L (input frame included) and the whole path: frame 0 determines the
   sequence (dataset version 2.0.0).

Frames at or after L are black, their mask is 0 and their centre is (-1, -1).
Same arguments, same bytes, whatever the process, the order, or the sharding.
"""
import math

import numpy as np

from cinegen_tf.data import textures
from cinegen_tf.data import trajectories
from cinegen_tf.data.trajectories import PADDED_LENGTHS, PATTERNS, validate_pattern  # noqa: F401

FRAME_SIZE = textures.FRAME_SIZE
SPLITS = ("train", "test")
OFFSET_RANGE = (0.90, 1.10)
_PIXELS = np.arange(FRAME_SIZE, dtype=np.float64)


def _validate(pattern: str, seed: int, split: str) -> None:
    validate_pattern(pattern)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def sequence_rng(pattern: str, seed: int, split: str, index: int) -> np.random.Generator:
    """The random generator of sequence `index` of `(pattern, seed, split)`."""
    return np.random.default_rng(
        [int(seed), PATTERNS.index(pattern), SPLITS.index(split), int(index)])


def background(texture_id: int, offsets: np.ndarray) -> np.ndarray:
    """`(64, 64, 3)` uint8 texture scaled per channel by `offsets` (3,), rounded and clipped."""
    scaled = textures.load_textures()[texture_id] * offsets
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


def object_mask(motion: trajectories.Motion) -> np.ndarray:
    """`(L, 64, 64)` bool: pixels whose centre lies strictly inside the rectangle."""
    cy, cx = motion.centers[:, 0, None], motion.centers[:, 1, None]  # (L, 1)
    half_h, half_w = motion.sizes[:, 0] / 2, motion.sizes[:, 1] / 2
    # libm, not numpy's SIMD kernels, so the bytes do not depend on the CPU's vector unit.
    cos = np.array([math.cos(a) for a in motion.angles])[:, None]
    sin = np.array([math.sin(a) for a in motion.angles])[:, None]
    dx = _PIXELS[None, :] - cx  # (L, 64) over columns
    dy_up = cy - _PIXELS[None, :]  # (L, 64) over rows, y pointing up
    # The rectangle's axes are separable sums of a row term and a column term.
    # float32 is 5x faster here, and the test stays symmetric about the centre.
    f32 = np.float32
    along = (dy_up * sin).astype(f32)[:, :, None] + (dx * cos).astype(f32)[:, None, :]
    across = (dy_up * cos).astype(f32)[:, :, None] - (dx * sin).astype(f32)[:, None, :]
    return ((np.abs(along) < half_w.astype(f32)[:, None, None])
            & (np.abs(across) < half_h.astype(f32)[:, None, None]))


def _paint(motion: trajectories.Motion, color: np.ndarray, frames: np.ndarray,
           mask: np.ndarray) -> None:
    """Draws the rectangle into C-contiguous `frames` (L, 64, 64, 3) and `mask` (L, 64, 64, 1)."""
    if motion.angles.any():
        inside = np.flatnonzero(object_mask(motion))  # flat (L * 64 * 64) pixel indices
        frames.reshape(-1, 3)[inside] = color
        mask.reshape(-1)[inside] = 1
        return
    # Axis-aligned: snapped centres make every edge a whole pixel, so slices are exact.
    corners = np.rint(motion.centers - (motion.sizes - 1) / 2).astype(np.int64)  # (L, 2)
    ends = corners + motion.sizes.astype(np.int64)
    for t, ((top, left), (bottom, right)) in enumerate(zip(corners, ends)):
        frames[t, top:bottom, left:right] = color
        mask[t, top:bottom, left:right] = 1


def render_into(pattern: str, seed: int, split: str, index: int, video: np.ndarray,
                mask: np.ndarray, centers: np.ndarray) -> tuple:
    """Renders one sequence into preallocated, zero-filled arrays (no validation).

    Args:
        pattern, seed, split, index: identify the sequence (see `render_sequence`).
        video: C-contiguous `(T, 64, 64, 3)` uint8 zeros, T = PADDED_LENGTHS[pattern];
            filled in place.
        mask: C-contiguous `(T, 64, 64, 1)` uint8 zeros; filled in place with {0, 1}.
        centers: `(T, 2)` float32; filled in place.

    Returns:
        `(length, texture_id)` ints.
    """
    rng = sequence_rng(pattern, seed, split, index)
    texture_id = int(rng.integers(textures.NUM_TEXTURES))
    offsets = rng.uniform(*OFFSET_RANGE, size=3)
    color = rng.integers(0, 256, size=3).astype(np.uint8)
    motion = trajectories.sample_motion(pattern, rng)
    length = motion.length

    video[:length] = background(texture_id, offsets)
    _paint(motion, color, video[:length], mask[:length])
    centers[:length] = motion.centers
    centers[length:] = -1.0
    return length, texture_id


def render_sequence(pattern: str, seed: int, split: str, index: int) -> dict:
    """Renders sequence `index` of the `(pattern, seed, split)` stream.

    Args:
        pattern: motion pattern, one of `PATTERNS`.
        seed: non-negative int, the dataset seed.
        split: "train" or "test". The two streams are independent.
        index: non-negative int, position in the stream.

    Returns:
        A dict with `video` (T, 64, 64, 3) uint8 in [0, 255], `mask` (T, 64, 64, 1) uint8
        in {0, 1}, `centers` (T, 2) float32 (y, x) in pixels or (-1, -1) on padding,
        `length` int32 scalar and `texture_id` int32 scalar, T = PADDED_LENGTHS[pattern].

    Raises:
        ValueError: on an unknown pattern or split, or a negative seed or index.
    """
    batch = render_batch(pattern, seed, split, index, 1)
    return {key: value[0] for key, value in batch.items()}


def render_batch(pattern: str, seed: int, split: str, start: int, count: int) -> dict:
    """Renders sequences `start .. start + count - 1` of a stream, stacked.

    Returns:
        The dict of `render_sequence` with a leading batch axis of size `count`
        (`length`, `texture_id`: (count,) int32).
    """
    _validate(pattern, seed, split)
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or start < 0:
        raise ValueError(f"start index must be a non-negative integer, got {start!r}")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count <= 0:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    padded = PADDED_LENGTHS[pattern]
    batch = {
        "video": np.zeros((count, padded, FRAME_SIZE, FRAME_SIZE, 3), np.uint8),
        "mask": np.zeros((count, padded, FRAME_SIZE, FRAME_SIZE, 1), np.uint8),
        "centers": np.empty((count, padded, 2), np.float32),
        "length": np.empty((count,), np.int32),
        "texture_id": np.empty((count,), np.int32),
    }
    for i in range(count):
        batch["length"][i], batch["texture_id"][i] = render_into(
            pattern, seed, split, start + i, batch["video"][i], batch["mask"][i],
            batch["centers"][i])
    return batch
