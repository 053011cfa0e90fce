"""Motion patterns of the synthetic foreground object (Sec. 4.1, Fig. 4).

Coordinates are `(y, x)` in pixels, y pointing down (screen convention). Pixel `(i, j)`
has its centre at `(i, j)`. Angles are in radians, and a positive angle turns the object
counter-clockwise *as seen on screen*.

The paper names the patterns and gives only their padded lengths (Sec. 5.2): lengths vary
up to a maximum per pattern, and short sequences are padded with black. This module
settles the rest, so that **frame 0 determines the whole sequence** (dataset version
2.0.0; in 1.0.0 a clip's length and the pattern's size were drawn independently of
anything frame 0 shows, and no generator could get within 8 px of the eight's centres,
`python -m experiments.centre_floor`):

- Random, as Sec. 4.1 says: the object's size and its starting place (and, in
  synthetic.py, the texture, the per-channel offsets and the object's colour).
- The length L follows from the object's size: `length_for_size` maps the pattern's
  size range linearly onto [MIN_LENGTHS, PADDED_LENGTHS] (the height; the width for
  `rotate`), so lengths vary within a pattern and a bigger object moves longer.
- Each pattern moves at one speed, so the path's extent follows from L:

- `i`: straight down at I_SPEED px per frame.
- `l`: down at L_SPEED px per frame, then right at the same speed; the two strokes are
  equally long.
- `o`: once counter-clockwise around a circle of radius O_RADIUS_PER_FRAME * L from its
  top; frame `L` would land back on frame 0, so the last frame is one step short of it.
- `eight`: a vertical figure 8 (x = cx + a sin 2p, y = cy - b sin p, b = EIGHT_HALF_HEIGHT
  * L, a = EIGHT_HALF_WIDTH * L) from the top of the upper lobe. It crosses its centre
  twice, at one half and at the end.
- `rotate`: a still object turning counter-clockwise by pi * t / L. The rectangle has
  180-degree symmetry, so frame `L` would equal frame 0.
- `scale`: a still object that grows and shrinks back in height and width, by the
  factor 1 + SCALE_GAIN * sin(pi * t / L).

Sizes are whole pixels, and centres lie on the grid where a rectangle covers whole
pixels (a start on it, plus whole-pixel displacements). A stored centre is therefore
exactly the centroid of the object's mask, and a displacement is the same rounding
wherever the object starts. The whole path keeps the object inside the 64x64 frame.
"""
import dataclasses
import math

import numpy as np

FRAME_SIZE = 64
PATTERNS = ("i", "o", "l", "eight", "rotate", "scale")
# Padded sequence lengths, input frame included (Sec. 5.2).
PADDED_LENGTHS = {"i": 27, "o": 21, "l": 26, "eight": 21, "rotate": 21, "scale": 17}
# True lengths lie in [ceil(2/3 * padded), padded].
MIN_LENGTHS = {name: -(-2 * length // 3) for name, length in PADDED_LENGTHS.items()}
# Sizes (whole pixels) of the object's height (width for rotate) that set the length.
OBJECT_SIZES = (6, 14)
ROTATE_WIDTHS = (16, 30)
# One speed per pattern (the path's extent follows from the length).
I_SPEED = 1.75  # px per frame
L_SPEED = 3.0  # px per frame
O_RADIUS_PER_FRAME = 1.15  # radius = 1.15 L px: 7.2 px per frame along the circle
EIGHT_HALF_HEIGHT = 1.1  # b = 1.1 L px
EIGHT_HALF_WIDTH = 0.6  # a = 0.6 L px
SCALE_GAIN = 0.75


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


def length_for_size(pattern: str, size: int) -> int:
    """The sequence length L (input frame included) of an object whose height (width
    for `rotate`) is `size` px: the size range mapped linearly onto the length range."""
    low, high = ROTATE_WIDTHS if pattern == "rotate" else OBJECT_SIZES
    if not low <= size <= high:
        raise ValueError(f"object size {size} outside [{low}, {high}] for pattern {pattern!r}")
    short, longest = MIN_LENGTHS[pattern], PADDED_LENGTHS[pattern]
    return short + int(math.floor((size - low) * (longest - short) / (high - low) + 0.5))


def _phase(length: int) -> np.ndarray:
    return np.arange(length, dtype=np.float64) / length


def _sin(values: np.ndarray) -> np.ndarray:
    # libm, not numpy's SIMD kernels, so the bytes do not depend on the CPU's vector unit.
    return np.array([math.sin(v) for v in values], dtype=np.float64)


def i_path(start, speed: float, length: int) -> np.ndarray:
    """`(length, 2)` centres going down from `start` (y, x) at `speed` px per frame."""
    t = np.arange(length, dtype=np.float64)
    return np.stack([start[0] + speed * t, np.full(length, float(start[1]))], axis=1)


def l_path(start, speed: float, length: int) -> np.ndarray:
    """`(length, 2)` centres down, then right, at `speed`; both strokes (length-1)*speed/2."""
    s = speed * np.arange(length, dtype=np.float64)
    down = speed * (length - 1) / 2
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


def _sizes(rng: np.random.Generator, low: int, high: int) -> np.ndarray:
    """`(2,)` float64 whole-pixel (height, width), each uniform in [low, high]."""
    return rng.integers(low, high + 1, size=2).astype(np.float64)


def _start(rng: np.random.Generator, size: np.ndarray, below, above) -> np.ndarray:
    """`(2,)` frame-0 centre drawn uniformly from the whole-pixel grid of `size` such that
    the rectangle stays inside the frame when the centre moves `below` .. `above`
    ((2,) px, below <= 0 <= above) away from it."""
    offset = (size - 1) / 2
    low = offset - np.asarray(below, np.float64)
    high = FRAME_SIZE - 1 - offset - np.asarray(above, np.float64)
    return np.array([rng.integers(math.ceil(lo - o), math.floor(hi - o) + 1) + o
                     for lo, hi, o in zip(low, high, offset)])


def _translation(rng, pattern: str) -> Motion:
    size = _sizes(rng, *OBJECT_SIZES)
    length = length_for_size(pattern, int(size[0]))
    if pattern == "i":
        path = i_path((0.0, 0.0), I_SPEED, length)
    elif pattern == "l":
        path = l_path((0.0, 0.0), L_SPEED, length)
    elif pattern == "o":
        radius = O_RADIUS_PER_FRAME * length
        path = o_path((radius, 0.0), radius, length)
    else:  # eight
        half_height = EIGHT_HALF_HEIGHT * length
        path = eight_path((half_height, 0.0), EIGHT_HALF_WIDTH * length, half_height, length)
    # Whole-pixel displacements from a start on the grid: the same rounding wherever the
    # object starts, and every centre on the grid.
    path = np.round(path)
    start = _start(rng, size, path.min(axis=0), path.max(axis=0))
    return Motion(start + path, np.tile(size, (length, 1)), np.zeros(length))


def _rotation(rng) -> Motion:
    width = int(rng.integers(ROTATE_WIDTHS[0], ROTATE_WIDTHS[1] + 1))
    height = int(rng.integers(6, int(width / 1.6) + 1))
    length = length_for_size("rotate", width)
    size = np.array([height, width], dtype=np.float64)
    # Pixel centres within half a diagonal of the centre must stay inside at every angle.
    reach = math.hypot(height, width) / 2 - (size - 1) / 2
    center = _start(rng, size, -reach, reach)
    return Motion(np.tile(center, (length, 1)), np.tile(size, (length, 1)),
                  math.pi * _phase(length))


def _scaling(rng) -> Motion:
    base = _sizes(rng, *OBJECT_SIZES)
    length = length_for_size("scale", int(base[0]))
    wave = _sin(math.pi * _phase(length))
    # Grow by whole pixels on both sides, so the centre never moves.
    grow = np.round(SCALE_GAIN * base[None, :] * wave[:, None] / 2)
    margin = grow.max(axis=0)  # the largest rectangle must fit too
    center = _start(rng, base, -margin, margin)
    return Motion(np.tile(center, (length, 1)), base[None, :] + 2 * grow, np.zeros(length))


def sample_motion(pattern: str, rng: np.random.Generator) -> Motion:
    """Draws a random rectangle (size, starting place) and the one path it implies.

    Args:
        pattern: one of `PATTERNS`.
        rng: the sequence's random generator.

    Returns:
        The `Motion`; its length is `length_for_size` of the drawn size, in
        [MIN_LENGTHS[pattern], PADDED_LENGTHS[pattern]].
    """
    validate_pattern(pattern)
    if pattern == "rotate":
        return _rotation(rng)
    if pattern == "scale":
        return _scaling(rng)
    return _translation(rng, pattern)
