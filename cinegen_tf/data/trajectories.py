"""Motion patterns of the synthetic foreground object (Sec. 4.1, Fig. 4).

Coordinates are `(y, x)` in pixels, y pointing down (screen convention). Pixel `(i, j)`
has its centre at `(i, j)`. Angles are in radians, and a positive angle turns the object
counter-clockwise *as seen on screen*.

The paper names the patterns and gives only their padded lengths (Sec. 5.2). This module
settles the rest. Frame 0 is the input image. A sequence of `length` frames runs one
whole pattern, so a shorter sequence moves faster:

- `i`: straight down a vertical line, from its top end to its bottom end.
- `l`: down a vertical stroke, then right along a horizontal stroke, at constant speed.
- `o`: once counter-clockwise around a circle, starting at the top; frame `length`
  would land back on frame 0, so the last frame is one step short of the start.
- `eight`: a vertical figure 8 (x = cx + a sin 2p, y = cy - b sin p) from the top of
  the upper lobe. It crosses its centre twice, at one half and at the end.
- `rotate`: a still object turning counter-clockwise by pi * t / length. The rectangle has
  180-degree symmetry, so frame `length` would equal frame 0.
- `scale`: a still object that grows and shrinks back in height and width,
  by factors 1 + a * sin(pi * t / length).

Sizes are whole pixels, and centres are snapped so that every rectangle covers whole
pixels. A stored centre is therefore exactly the centroid of the object's mask. The
whole path keeps the object inside the 64x64 frame.
"""
import dataclasses
import math

import numpy as np

FRAME_SIZE = 64
PATTERNS = ("i", "o", "l", "eight", "rotate", "scale")
# Padded sequence lengths, input frame included (Sec. 5.2).
PADDED_LENGTHS = {"i": 27, "o": 21, "l": 26, "eight": 21, "rotate": 21, "scale": 17}
# True lengths are drawn uniformly from [ceil(2/3 * padded), padded].
MIN_LENGTHS = {name: -(-2 * length // 3) for name, length in PADDED_LENGTHS.items()}


def validate_pattern(pattern: str) -> str:
    """Returns `pattern` if known, else raises a ValueError naming the choices."""
    if pattern not in PATTERNS:
        raise ValueError(f"unknown motion pattern {pattern!r}; expected one of {PATTERNS}")
    return pattern


@dataclasses.dataclass(frozen=True)
class Motion:
    """Per-frame pose of the foreground rectangle.

    Attributes:
        centers: `(L, 2)` float64 rectangle centres `(y, x)` in pixels.
        sizes: `(L, 2)` float64 whole-pixel `(height, width)`, the extents at angle 0.
        angles: `(L,)` float64 rotation in radians, counter-clockwise on screen.
    """

    centers: np.ndarray
    sizes: np.ndarray
    angles: np.ndarray

    @property
    def length(self) -> int:
        return self.centers.shape[0]


def _phase(length: int) -> np.ndarray:
    return np.arange(length, dtype=np.float64) / length


def _sin(values: np.ndarray) -> np.ndarray:
    # libm, not numpy's SIMD kernels, so the bytes do not depend on the CPU's vector unit.
    return np.array([math.sin(v) for v in values], dtype=np.float64)


def i_path(start, extent: float, length: int) -> np.ndarray:
    """`(length, 2)` centres going down `extent` pixels from `start` (y, x)."""
    t = np.arange(length, dtype=np.float64) / (length - 1)
    return np.stack([start[0] + extent * t, np.full(length, float(start[1]))], axis=1)


def l_path(start, down: float, right: float, length: int) -> np.ndarray:
    """`(length, 2)` centres down `down` pixels, then right `right` pixels, at constant speed."""
    s = (down + right) * np.arange(length, dtype=np.float64) / (length - 1)
    y = start[0] + np.minimum(s, down)
    x = start[1] + np.maximum(s - down, 0.0)
    return np.stack([y, x], axis=1)


def o_path(center, radius: float, length: int) -> np.ndarray:
    """`(length, 2)` centres once counter-clockwise (on screen) around a circle from its top."""
    p = math.pi / 2 + 2 * math.pi * _phase(length)
    return np.stack([center[0] - radius * _sin(p), center[1] + radius * _sin(p + math.pi / 2)],
                    axis=1)


def eight_path(center, half_width: float, half_height: float, length: int) -> np.ndarray:
    """`(length, 2)` centres along a vertical figure 8 from the top of its upper lobe."""
    p = math.pi / 2 + 2 * math.pi * _phase(length)
    return np.stack([center[0] - half_height * _sin(p), center[1] + half_width * _sin(2 * p)],
                    axis=1)


def snap_to_grid(centers: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Moves centres (< 0.5 px) so that a rectangle of `sizes` covers whole pixels."""
    offset = (sizes - 1) / 2
    return np.round(centers - offset) + offset


def _uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _sizes(rng: np.random.Generator, low: int, high: int) -> np.ndarray:
    """`(2,)` float64 whole-pixel (height, width), each uniform in [low, high]."""
    return rng.integers(low, high + 1, size=2).astype(np.float64)


def _span(size: float):
    """Range of centre coordinates that keeps `size` whole pixels inside the frame."""
    return (size - 1) / 2, FRAME_SIZE - 1 - (size - 1) / 2


def _translation(rng, pattern: str, length: int) -> Motion:
    size = _sizes(rng, 6, 14)
    (y_lo, y_hi), (x_lo, x_hi) = _span(size[0]), _span(size[1])
    room_y, room_x = y_hi - y_lo, x_hi - x_lo
    if pattern == "i":
        extent = _uniform(rng, 0.5 * room_y, room_y)
        start = (_uniform(rng, y_lo, y_hi - extent), _uniform(rng, x_lo, x_hi))
        centers = i_path(start, extent, length)
    elif pattern == "l":
        down, right = _uniform(rng, 0.5 * room_y, room_y), _uniform(rng, 0.5 * room_x, room_x)
        start = (_uniform(rng, y_lo, y_hi - down), _uniform(rng, x_lo, x_hi - right))
        centers = l_path(start, down, right, length)
    elif pattern == "o":
        max_radius = min(room_y, room_x) / 2
        radius = _uniform(rng, 0.5 * max_radius, max_radius)
        center = (_uniform(rng, y_lo + radius, y_hi - radius),
                  _uniform(rng, x_lo + radius, x_hi - radius))
        centers = o_path(center, radius, length)
    else:  # eight
        half_height = _uniform(rng, 0.3 * room_y, 0.5 * room_y)
        half_width = _uniform(rng, 0.2 * room_x, 0.35 * room_x)
        center = (_uniform(rng, y_lo + half_height, y_hi - half_height),
                  _uniform(rng, x_lo + half_width, x_hi - half_width))
        centers = eight_path(center, half_width, half_height, length)
    sizes = np.tile(size, (length, 1))
    return Motion(snap_to_grid(centers, sizes), sizes, np.zeros(length))


def _rotation(rng, length: int) -> Motion:
    width = int(rng.integers(16, 31))
    height = int(rng.integers(6, int(width / 1.6) + 1))
    size = np.array([height, width], dtype=np.float64)
    # Pixel centres within half a diagonal of the centre must stay inside at every angle.
    reach = math.hypot(height, width) / 2
    center = np.array([_uniform(rng, reach, FRAME_SIZE - 1 - reach) for _ in range(2)])
    sizes = np.tile(size, (length, 1))
    centers = snap_to_grid(np.tile(center, (length, 1)), sizes)
    angles = math.pi * _phase(length)
    return Motion(centers, sizes, angles)


def _scaling(rng, length: int) -> Motion:
    base = _sizes(rng, 6, 14)
    gain = rng.uniform(0.5, 1.0, size=2)
    wave = _sin(math.pi * _phase(length))
    # Grow by whole pixels on both sides, so the centre never moves.
    grow = np.round(gain[None, :] * base[None, :] * wave[:, None] / 2)
    sizes = base[None, :] + 2 * grow
    largest = sizes.max(axis=0)
    center = np.array([_uniform(rng, *_span(s)) for s in largest])
    centers = snap_to_grid(np.tile(center, (length, 1)), np.tile(base, (length, 1)))
    return Motion(centers, sizes, np.zeros(length))


def sample_motion(pattern: str, rng: np.random.Generator, length: int) -> Motion:
    """Draws a random rectangle and its path for one sequence.

    Args:
        pattern: one of `PATTERNS`.
        rng: the sequence's random generator.
        length: number of frames L, input frame included, in
            [MIN_LENGTHS[pattern], PADDED_LENGTHS[pattern]].

    Returns:
        The `Motion` of `length` frames.
    """
    validate_pattern(pattern)
    if not MIN_LENGTHS[pattern] <= length <= PADDED_LENGTHS[pattern]:
        raise ValueError(
            f"length {length} outside [{MIN_LENGTHS[pattern]}, {PADDED_LENGTHS[pattern]}] "
            f"for pattern {pattern!r}")
    if pattern == "rotate":
        return _rotation(rng, length)
    if pattern == "scale":
        return _scaling(rng, length)
    return _translation(rng, pattern, length)
