"""Reading the user's photo and motion mask: any Pillow format, mode and size.

JPEG, PNG, WebP, BMP, GIF (its first frame), TIFF, ...; RGB, RGBA, grayscale, palette,
CMYK, 16-bit and float images; the EXIF orientation is applied (what a photo viewer
shows is what the model sees). Transparent pixels are composited over black, as the
training data reader does (cinegen_tf/data).
"""
import os

import numpy as np
from PIL import Image, ImageOps

# Pillow's errors for unreadable, truncated, unsupported or oversized files.
PIL_ERRORS = (OSError, EOFError, ValueError, SyntaxError, Image.DecompressionBombError)
_WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")


class InputError(ValueError):
    """A photo or mask cannot be used; the message names the file and the reason."""


def _to_rgb(image):
    """Any Pillow image -> uint8 (H, W, 3)."""
    mode = image.mode
    if mode in _WIDE_MODES or mode == "F":
        values = np.nan_to_num(np.asarray(image, dtype=np.float64))
        if mode == "F":
            peak = 1.0 if values.size and values.max() <= 1.0 else 255.0
        else:  # 16-bit (or 32-bit int) grey: scale, never clip, the 16-bit range
            peak = 65535.0 if values.size and values.max() > 255 else 255.0
        grey = np.clip(values * (255.0 / peak), 0, 255).round().astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if "A" in mode or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (0, 0, 0, 255)), rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _open(path, what):
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such {what} file")
    if not os.path.isfile(path):
        raise InputError(f"{path}: the {what} is not a regular file")
    if os.path.getsize(path) == 0:
        raise InputError(f"{path}: the {what} file is empty (0 bytes)")
    try:
        with Image.open(path) as image:
            image.seek(0)  # GIF / APNG / multi-page TIFF: the first frame
            image.load()
            if image.width == 0 or image.height == 0:
                raise InputError(f"{path}: the {what} has zero size "
                                 f"({image.width}x{image.height})")
            return ImageOps.exif_transpose(image)
    except InputError:
        raise
    except Image.DecompressionBombError as error:
        raise InputError(f"{path}: the {what} is too large to decode safely ({error})") from error
    except PIL_ERRORS as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: not a readable image ({reason})") from error


def load_image(path):
    """Reads a photo as displayed (EXIF orientation applied).

    Args:
      path: an image file Pillow can read.

    Returns:
      uint8 (H, W, 3).

    Raises:
      InputError naming `path`: missing, empty, not an image, truncated, zero-size.
    """
    return _to_rgb(_open(path, "photo"))


def load_mask(path):
    """Reads a motion mask: white = may move, black = frozen, grey = partly.

    The mask's luminance is used (transparent pixels count as black); it may have any
    size and is stretched to the photo later.

    Returns:
      uint8 (h, w).
    """
    rgb = _to_rgb(_open(path, "mask"))
    return np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.uint8)


def photo_array(image):
    """Validates an in-memory photo and brings it to uint8 (H, W, 3).

    Args:
      image: array (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) (alpha composited over
        black), dtype uint8, or uint16 (16-bit, scaled to 8 bits).

    Raises:
      InputError for other shapes or dtypes, or a zero-size image.
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise InputError(f"image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), "
                         f"got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(f"image has zero size: shape {array.shape}")
    if array.dtype == np.uint16:
        array = (array.astype(np.uint32) * 255 + 32767) // 65535
        array = array.astype(np.uint8)
    elif array.dtype != np.uint8:
        raise InputError(f"image must be uint8 or uint16 (got {array.dtype}); scale float "
                         f"images to [0, 255] uint8 first")
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    if array.shape[-1] == 4:
        return _to_rgb(Image.fromarray(array, "RGBA"))
    return np.ascontiguousarray(array)


def mask_array(mask):
    """Validates an in-memory mask: (h, w) bool, uint8 in [0, 255] or float in [0, 1].

    Returns:
      uint8 (h, w).
    """
    array = np.asarray(mask)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[:, :, 0]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(f"mask must be a non-empty (h, w) array, got shape {array.shape}")
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if array.dtype == np.uint8:
        return array
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
            raise InputError("a float mask must lie in [0, 1]")
        return np.round(array * 255).astype(np.uint8)
    raise InputError(f"mask must be bool, uint8 or float in [0, 1], got {array.dtype}")


def read_photo(image):
    """A photo given as a path (`load_image`) or an array (`photo_array`) -> uint8 (H, W, 3)."""
    return photo_array(image) if isinstance(image, np.ndarray) else load_image(image)


def read_mask(mask):
    """A mask given as None, a path (`load_mask`) or an array (`mask_array`) -> uint8
    (h, w), or None."""
    if mask is None:
        return None
    return mask_array(mask) if isinstance(mask, np.ndarray) else load_mask(mask)
