"""Still-image side of real-clip decoding: GIFs, folders of numbered frames, and the
conversion every decoded frame goes through (any mode -> RGB -> `size x size`).

Used by `video_io`, which owns the public API; see its docstring for the timing rules.
GIFs and frame files are read with Pillow (imageio's own still-image and GIF backend).
"""
import dataclasses
import re

import numpy as np
from PIL import Image

# Browsers show a GIF frame whose delay is 0 or 10 ms (or missing) for 100 ms; so do we,
# so a clip's timing matches what its author saw.
GIF_MIN_DELAY_MS = 10
GIF_DEFAULT_DELAY_MS = 100
FRAME_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
# Frames smaller than this are too small to upscale into a training example.
MIN_SIDE = 16
# Errors Pillow raises on unreadable, truncated or oversized images.
PIL_ERRORS = (OSError, EOFError, ValueError, SyntaxError, Image.DecompressionBombError)
_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")
_DIGITS = re.compile(r"(\d+)")


class DecodeError(ValueError):
    """A source (or one of its frames) cannot be decoded; the message names the file."""


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow image -> 8-bit RGB.

    Grayscale and palette images are expanded; transparent pixels (RGBA, LA, PA, or a
    palette with a transparent index) are composited over black; 16-bit grayscale is
    scaled from [0, 65535] to [0, 255] rather than clipped; float images are read as
    [0, 1] when their maximum is at most 1, else as [0, 255].
    """
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in _SIXTEEN_BIT_MODES or mode == "F":
        values = np.asarray(image, dtype=np.float64)
        if mode == "F":
            peak = 1.0 if values.size and np.nanmax(values) <= 1.0 else 255.0
        else:
            peak = 65535.0 if values.size and values.max() > 255 else 255.0
        gray = np.clip(np.nan_to_num(values) * (255.0 / peak), 0, 255).round().astype(np.uint8)
        return Image.fromarray(gray, mode="L").convert("RGB")
    has_alpha = "A" in mode or (mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(black, rgba).convert("RGB")
    return image.convert("RGB")


def resize_and_center_crop(image: Image.Image, size: int) -> np.ndarray:
    """Resizes the short side to `size` (bicubic) and crops the centre square.

    Args:
        image: a Pillow image of any mode and size.
        size: the output side in pixels.

    Returns:
        `(size, size, 3)` uint8 in [0, 255].
    """
    image = to_rgb(image)
    width, height = image.size
    scale = size / min(width, height)
    new_w, new_h = max(size, round(width * scale)), max(size, round(height * scale))
    if (new_w, new_h) != (width, height):
        # reducing_gap first shrinks by an integer factor (box filter), which keeps
        # enormous frames fast without visible aliasing.
        image = image.resize((new_w, new_h), Image.Resampling.BICUBIC,
                             reducing_gap=3.0 if scale < 1 else None)
    left, top = (new_w - size) // 2, (new_h - size) // 2
    return np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.uint8)


@dataclasses.dataclass(frozen=True)
class Width:
    """A frame size that keeps the aspect ratio: `width` pixels wide (None: as stored)."""
    width: int | None = None


def resize_frame(image: Image.Image, size) -> np.ndarray:
    """`size` an int: `resize_and_center_crop`; a `Width`: the whole frame, aspect kept.

    Returns:
        `(size, size, 3)` or `(round(h * width / w), width, 3)` uint8 in [0, 255].
    """
    if not isinstance(size, Width):
        return resize_and_center_crop(image, size)
    image = to_rgb(image)
    width, height = image.size
    if size.width is not None and size.width != width:
        new_h = max(1, round(height * size.width / width))
        image = image.resize((size.width, new_h), Image.Resampling.BICUBIC,
                             reducing_gap=3.0 if size.width < width else None)
    return np.asarray(image, dtype=np.uint8)


def natural_key(name: str) -> tuple:
    """Sort key that orders digit runs by value: "2.png" < "10.png", "f9" < "f10"."""
    return tuple(int(part) if part.isdigit() else part.lower()
                 for part in _DIGITS.split(name))


def check_frame_size(width: int, height: int) -> str | None:
    """Returns why frames of this size cannot be used, or None if they can."""
    if min(width, height) < MIN_SIDE:
        return f"frames are {width}x{height}, smaller than {MIN_SIDE} px on a side"
    return None


def gif_delays_ms(path: str) -> tuple[np.ndarray, list[str]]:
    """Reads each GIF frame's display time, decoding frames but converting none.

    Args:
        path: a GIF file.

    Returns:
        `(delays, notes)`: `(N,)` int64 milliseconds per readable frame, and notes on
        what was converted (short delays shown as 100 ms, frames lost to truncation).

    Raises:
        DecodeError: the file cannot be read as a GIF, or its first frame is broken.
    """
    delays, notes = [], []
    try:
        with Image.open(path) as image:
            if image.format != "GIF":
                raise DecodeError(f"{path}: not a GIF (Pillow reads it as {image.format})")
            reason = check_frame_size(*image.size)
            if reason:
                raise DecodeError(f"{path}: {reason}")
            index = 0
            while True:
                try:
                    image.seek(index)
                    image.load()
                except EOFError:
                    break
                except PIL_ERRORS as error:
                    if index == 0:
                        raise
                    notes.append(f"frames from {index} on are unreadable ({error}); "
                                 f"kept the first {index}")
                    break
                delays.append(image.info.get("duration") or 0)
                index += 1
    except DecodeError:
        raise
    except PIL_ERRORS as error:
        raise DecodeError(f"{path}: unreadable GIF ({error})") from error
    delays = np.asarray(delays, dtype=np.int64)
    short = delays <= GIF_MIN_DELAY_MS
    if short.any():
        notes.append(f"{int(short.sum())} of {len(delays)} GIF frame delays <= "
                     f"{GIF_MIN_DELAY_MS} ms shown for {GIF_DEFAULT_DELAY_MS} ms")
        delays[short] = GIF_DEFAULT_DELAY_MS
    return delays, notes


def read_gif_frames(path: str, indices, size: int) -> dict[int, np.ndarray]:
    """Decodes a GIF in order and converts only the frames at `indices`.

    Returns:
        `{index: (size, size, 3) uint8}` for every requested index.
    """
    wanted = set(int(i) for i in indices)
    out = {}
    try:
        with Image.open(path) as image:
            for index in range(max(wanted) + 1):
                image.seek(index)  # Pillow composites each frame onto the previous ones.
                if index in wanted:
                    out[index] = resize_frame(image, size)
    except PIL_ERRORS as error:
        raise DecodeError(f"{path}: GIF frame {len(out)} unreadable ({error})") from error
    return out


def list_frame_files(folder) -> list:
    """Image files of a frame folder in natural order (hidden files ignored)."""
    files = [p for p in folder.iterdir()
             if p.is_file() and not p.name.startswith(".")
             and p.suffix.lower() in FRAME_EXTENSIONS]
    return sorted(files, key=lambda p: natural_key(p.name))


def read_frame_file(path, size: int) -> np.ndarray:
    """One still frame -> `(size, size, 3)` uint8; DecodeError naming the file if unreadable."""
    try:
        with Image.open(path) as image:
            reason = check_frame_size(*image.size)
            if reason:
                raise DecodeError(f"{path}: {reason}")
            return resize_frame(image, size)
    except DecodeError:
        raise
    except PIL_ERRORS as error:
        raise DecodeError(f"{path}: unreadable frame ({error})") from error
