"""Writing cinemagraph frames as GIF, WebP (Pillow) or MP4 (PyAV, no ffmpeg binary), and
reading a written one back (`read_cinemagraph`, for checks of what the encoders kept).

The format follows the output's extension. GIF and WebP loop forever (loop=0); MP4 has
no loop flag (players loop it with e.g. `<video loop>`). Every file is written under a
temporary name in its own folder and moved into place with os.replace, so a failure
never leaves a partial file and never harms an existing one.

GIF: one 256-colour palette for the whole loop (from the first, middle and last frames),
no dithering. Shared indices keep the static background bit-identical from frame to
frame, so it neither flickers nor costs bytes (Pillow stores only each frame's changed
box); error-diffusion dithering would spread the moving region's noise over it. GIF
delays are whole centiseconds, so the frame rate is rounded to 100 / k fps.
WebP: lossy, one key frame (the first); each later frame stores only the box that
changed, so the still background stays bit-identical from frame to frame.
MP4: H.264, yuv420p (what browsers and phones play); an odd width or height gets its
last row / column repeated, as yuv420p needs even sizes.
"""
import fractions
import os
import tempfile

import av
import numpy as np
from PIL import Image, ImageSequence

FORMATS = {".gif": "gif", ".webp": "webp", ".mp4": "mp4"}
DEFAULT_FPS = 10.0
DEFAULT_QUALITY = 90
_PALETTE_SAMPLE_PIXELS = 1 << 18


def readable_mode():
    """The mode a new file gets from open() under this process's umask (e.g. 0644)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def output_format(path):
    """The format ("gif", "webp", "mp4") a path's extension asks for.

    Raises:
      ValueError naming the path and the supported extensions.
    """
    extension = os.path.splitext(os.fspath(path))[1].lower()
    if extension not in FORMATS:
        raise ValueError(f"{path}: unknown output extension {extension or '(none)'!r}; "
                         f"use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[extension]


def _check_frames(frames):
    frames = np.asarray(frames)
    if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"frames must be uint8 (T, H, W, 3), got {frames.dtype} "
                         f"{frames.shape}")
    if min(frames.shape[:3]) < 1:
        raise ValueError(f"frames must be non-empty, got shape {frames.shape}")
    return frames


def _gif_palette(frames):
    """A 256-colour palette image from a few frames, subsampled to ~256K pixels."""
    picks = sorted({0, len(frames) // 2, len(frames) - 1})
    stride = max(1, int(np.ceil(np.sqrt(frames[0].size / 3 * len(picks)
                                        / _PALETTE_SAMPLE_PIXELS))))
    sample = np.concatenate([frames[i, ::stride, ::stride] for i in picks], axis=0)
    return Image.fromarray(sample).quantize(256, method=Image.Quantize.MEDIANCUT)


def _write_gif(frames, file, fps, quality):
    del quality  # GIF is lossless over its palette
    palette = _gif_palette(frames)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.NONE)
              for f in frames]
    duration = max(2, round(100.0 / fps)) * 10  # ms, whole centiseconds (min 20 ms)
    images[0].save(file, format="GIF", save_all=True, append_images=images[1:],
                   duration=duration, loop=0, disposal=1, optimize=False)


def _write_webp(frames, file, fps, quality):
    images = [Image.fromarray(f) for f in frames]
    # kmax=0: no key frames after the first. A lossy key frame re-encodes the whole
    # picture with new noise, so a still background flickered (44-56% of its pixels
    # changed over a loop); sub-frames cover only what changed, and the file is smaller.
    images[0].save(file, format="WEBP", save_all=True, append_images=images[1:],
                   duration=max(1, round(1000.0 / fps)), loop=0, quality=int(quality),
                   method=4, kmax=0)


def _write_mp4(frames, file, fps, quality):
    pad_h, pad_w = frames.shape[1] % 2, frames.shape[2] % 2
    if pad_h or pad_w:
        frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    # quality 0..100 -> x264 CRF 51..0 (90 -> CRF 15: visually lossless for most content).
    crf = int(round(51 * (1 - quality / 100.0) ** 1.2))
    with av.open(file, mode="w", format="mp4") as container:
        rate = fractions.Fraction(fps).limit_denominator(1001)
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        # veryfast: the files of "medium" (within 1-5% here) in 0.3-0.4x its time.
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())


_WRITERS = {"gif": _write_gif, "webp": _write_webp, "mp4": _write_mp4}


def write_cinemagraph(frames, path, fps=DEFAULT_FPS, quality=DEFAULT_QUALITY):
    """Writes looping frames to `path` (GIF, WebP or MP4 by extension), atomically.

    Args:
      frames: uint8 (T, H, W, 3).
      path: output file; its folder must exist.
      fps: frames per second, in (0, 100].
      quality: 1..100 for WebP and MP4 (ignored by GIF).

    Returns:
      the path written.

    Raises:
      ValueError for an unknown extension, bad frames, fps or quality;
      FileNotFoundError when the folder does not exist.
    """
    path = os.fspath(path)
    kind = output_format(path)
    frames = _check_frames(frames)
    if not 0 < float(fps) <= 100:
        raise ValueError(f"fps must be in (0, 100], got {fps}")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be in [1, 100], got {quality}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{path}: output folder {folder} does not exist")
    extension = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-" + os.path.basename(path) + "-",
                               suffix=extension)
    os.close(fd)
    try:
        _WRITERS[kind](frames, tmp, float(fps), float(quality))
        os.chmod(tmp, readable_mode())  # mkstemp's 0600 would hide it from other users
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read_cinemagraph(path):
    """The decoded frames of a written GIF, WebP or MP4: uint8 (L, H', W', 3); an MP4 of
    an odd size keeps its padding row / column."""
    path = str(path)
    if path.endswith(".mp4"):
        with av.open(path) as container:
            return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])
    with Image.open(path) as image:
        return np.stack([np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)])
