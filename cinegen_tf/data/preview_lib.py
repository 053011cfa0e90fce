"""Look at synthetic data: an animated GIF and a PNG contact sheet of N sequences.

The GIF shows the sequences side by side, frame t of every sequence at time t, and loops
forever. The contact sheet has one row per sequence and one column per (padded) frame.
Both show the data as stored, so frames at or after a sequence's length are black.
Tiles are separated by white gaps. Sequences are rendered directly ("procedural") or read
from a prepared TFDS config ("tfds").
"""
import os
import tempfile

import numpy as np
import tensorflow_datasets as tfds
from PIL import Image

from cinegen_tf.data import pipeline
from cinegen_tf.data import synthetic
from cinegen_tf.inference import writers

SOURCES = ("procedural", "tfds")
GAP = 2
GAP_VALUE = 255


def load_sequences(pattern: str, num: int, *, seed: int = 0, split: str = "test",
                   source: str = "procedural", data_dir=None, tfds_config=None) -> dict:
    """The first `num` sequences of a split, as uint8 arrays.

    Args:
        pattern: motion pattern, one of `synthetic.PATTERNS`.
        num: number of sequences N > 0.
        seed: the renderer's seed (procedural source only).
        split: "train" or "test".
        source: "procedural" (render) or "tfds" (read a prepared config).
        data_dir: prepared TFDS data (None: TFDS's default).
        tfds_config: TFDS config name (default: `pattern`).

    Returns:
        `{"video": (N, T, 64, 64, 3) uint8, "length": (N,) int32, ...}` as in the TFDS features.

    Raises:
        ValueError: bad pattern, split, source or num, or too few stored sequences.
        FileNotFoundError: a TFDS config that has not been prepared.
    """
    synthetic.validate_pattern(pattern)
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"num must be a positive integer, got {num!r}")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if split not in synthetic.SPLITS:
        raise ValueError(f"split must be one of {synthetic.SPLITS}, got {split!r}")
    if source == "procedural":
        return synthetic.render_batch(pattern, seed, split, 0, num)
    builder = pipeline.prepared_builder(tfds_config or pattern, data_dir)
    available = builder.info.splits[split].num_examples
    if available < num:
        raise ValueError(f"{builder.data_dir} has {available} {split} sequences, asked for {num}")
    examples = list(tfds.as_numpy(builder.as_dataset(split=f"{split}[:{num}]")))
    return {key: np.stack([e[key] for e in examples]) for key in examples[0]}


def _upscale(images: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscaling of the (H, W) axes, the 3rd- and 2nd-to-last."""
    return np.repeat(np.repeat(images, scale, axis=-3), scale, axis=-2)


def tile_frames(videos: np.ndarray, scale: int = 1) -> np.ndarray:
    """Puts N videos side by side.

    Args:
        videos: `(N, T, H, W, 3)` uint8.
        scale: integer upscaling factor.

    Returns:
        `(T, H*s, N*W*s + (N-1)*GAP, 3)` uint8 frames.
    """
    videos = _upscale(np.asarray(videos), scale)
    n, t, h, w, _ = videos.shape
    out = np.full((t, h, n * w + (n - 1) * GAP, 3), GAP_VALUE, np.uint8)
    for i in range(n):
        out[:, :, i * (w + GAP):i * (w + GAP) + w] = videos[i]
    return out


def contact_sheet(videos: np.ndarray, scale: int = 1) -> np.ndarray:
    """One row per video, one column per frame.

    Args:
        videos: `(N, T, H, W, 3)` uint8.
        scale: integer upscaling factor.

    Returns:
        `(N*H*s + (N-1)*GAP, T*W*s + (T-1)*GAP, 3)` uint8 image.
    """
    videos = _upscale(np.asarray(videos), scale)
    n, t, h, w, _ = videos.shape
    out = np.full((n * h + (n - 1) * GAP, t * w + (t - 1) * GAP, 3), GAP_VALUE, np.uint8)
    for i in range(n):
        for j in range(t):
            out[i * (h + GAP):i * (h + GAP) + h, j * (w + GAP):j * (w + GAP) + w] = videos[i, j]
    return out


def write_png(image: np.ndarray, path: str) -> str:
    """Writes a `(H, W, 3)` uint8 image to `path` atomically; returns the path."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-" + os.path.basename(path) + "-",
                               suffix=".png")
    os.close(fd)
    try:
        Image.fromarray(image).save(tmp, format="PNG")
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; a preview is for others to see
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_preview(output: str, pattern: str, num: int = 8, *, seed: int = 0,
                  split: str = "test", source: str = "procedural", data_dir=None,
                  tfds_config=None, fps: float = 8.0, scale: int = 2) -> tuple:
    """Writes `output` (an animated .gif) and its contact sheet beside it (same name, .png).

    Args:
        output: path ending in ".gif"; its folder is created if needed.
        pattern, num, seed, split, source, data_dir, tfds_config: see `load_sequences`.
        fps: GIF frames per second, in (0, 100].
        scale: integer upscaling factor of both images, >= 1.

    Returns:
        `(gif_path, png_path)`.

    Raises:
        ValueError: bad arguments (named), see `load_sequences`.
    """
    if not str(output).lower().endswith(".gif"):
        raise ValueError(f"output must be a .gif path, got {output!r}")
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    sequences = load_sequences(pattern, num, seed=seed, split=split, source=source,
                               data_dir=data_dir, tfds_config=tfds_config)
    folder = os.path.dirname(os.path.abspath(output))
    os.makedirs(folder, exist_ok=True)
    gif_path = writers.write_cinemagraph(tile_frames(sequences["video"], scale), output, fps=fps)
    png_path = write_png(contact_sheet(sequences["video"], scale),
                         os.path.splitext(output)[0] + ".png")
    return gif_path, png_path
