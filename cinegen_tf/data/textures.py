"""The 10 cluttered background textures of the synthetic dataset (Sec. 4.1).

The paper draws its backgrounds from "10 cluttered texture images" it does not name.
We take 10 cluttered images that ship inside the scikit-image wheel (no download at run
time) and reduce each to 64x64x3 with exact integer arithmetic, so every machine gets the
same bytes:

1. grayscale images are repeated to RGB;
2. the largest centred square whose side is a multiple of 64 is cropped;
3. each (k x k) block is averaged (k = side / 64), rounding half up.

The result is computed once per process and cached.
"""
import functools

import numpy as np
from skimage import data as skimage_data

FRAME_SIZE = 64

# Order matters: a texture's index is its `texture_id` in the dataset.
TEXTURE_NAMES = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "brick",
    "gravel",
    "grass",
    "coins",
    "camera",
    "page",
)
NUM_TEXTURES = len(TEXTURE_NAMES)


def reduce_to_frame(image: np.ndarray, size: int = FRAME_SIZE) -> np.ndarray:
    """Crops and block-averages an image to a `(size, size, 3)` uint8 texture.

    Args:
        image: `(H, W)` or `(H, W, 3)` uint8 image, H and W at least `size`.
        size: output side in pixels.

    Returns:
        `(size, size, 3)` uint8 array in [0, 255].

    Raises:
        ValueError: if the image is not uint8, has the wrong rank/channels, or is too small.
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"texture image must be uint8, got {image.dtype}")
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"texture image must be (H, W) or (H, W, 3), got {image.shape}")
    side = (min(image.shape[:2]) // size) * size
    if side == 0:
        raise ValueError(f"texture image {image.shape} is smaller than {size}x{size}")
    top = (image.shape[0] - side) // 2
    left = (image.shape[1] - side) // 2
    crop = image[top:top + side, left:left + side].astype(np.int64)
    k = side // size
    sums = crop.reshape(size, k, size, k, 3).sum(axis=(1, 3))
    area = k * k
    return ((2 * sums + area) // (2 * area)).astype(np.uint8)


@functools.lru_cache(maxsize=1)
def load_textures() -> np.ndarray:
    """Returns the 10 background textures, in `TEXTURE_NAMES` order.

    Returns:
        Read-only `(10, 64, 64, 3)` uint8 array in [0, 255].
    """
    textures = np.stack(
        [reduce_to_frame(getattr(skimage_data, name)()) for name in TEXTURE_NAMES]
    )
    textures.flags.writeable = False
    return textures
