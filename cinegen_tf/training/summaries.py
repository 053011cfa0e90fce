"""TensorBoard summaries and sample images of the training loop.

Generated vs ground-truth sequences are written as animated GIFs (TensorBoard's image
plugin plays the encoded GIF bytes of a legacy image summary) and as PNG strips in
DIR/samples/, one row of frames per sequence.
"""
import io
import os

import imageio.v3 as iio
import numpy as np
import tensorflow as tf

from cinegen_tf.training import checkpoints

BORDER = 2  # white pixels between tiles


def to_uint8(frames):
    """float [-1, 1] -> uint8 [0, 255] numpy array of the same shape."""
    frames = np.asarray(frames, np.float32)
    return np.round((np.clip(frames, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def _pad(tile):
    """Adds a white border below and right of an (..., H, W, C) uint8 tile."""
    pad = [(0, 0)] * (tile.ndim - 3) + [(0, BORDER), (0, BORDER), (0, 0)]
    return np.pad(tile, pad, constant_values=255)


def comparison_frames(images, targets, generated):
    """Side-by-side animation frames: per row one sequence, ground truth | generated.

    Args:
      images: float (N, H, W, 3) in [-1, 1], the inputs x.
      targets: float (N, T, H, W, 3) in [-1, 1], ground-truth frames 1..T.
      generated: float (N, T, H, W, 3) in [-1, 1], generated frames 1..T.

    Returns:
      uint8 (T + 1, N * (H + 2), 2 * (W + 2), 3); frame 0 shows the input on both sides.
    """
    images = np.asarray(images)[:, None]
    truth = _pad(to_uint8(np.concatenate([images, np.asarray(targets)], axis=1)))
    fake = _pad(to_uint8(np.concatenate([images, np.asarray(generated)], axis=1)))
    rows = np.concatenate([truth, fake], axis=3)  # (N, T+1, H', 2W', 3)
    return np.concatenate(list(rows), axis=1)  # (T+1, N*H', 2W', 3)


def sequence_strip(images, targets, generated):
    """One still image: for each sequence a ground-truth row above a generated row.

    Same arguments as `comparison_frames`. Returns uint8 (2N * (H + 2), (T + 1) * (W + 2), 3).
    """
    frames = comparison_frames(images, targets, generated)  # (T+1, N*H', 2W', 3)
    half = frames.shape[2] // 2
    n = np.asarray(images).shape[0]
    height = frames.shape[1] // n
    rows = []
    for i in range(n):
        tile = frames[:, i * height:(i + 1) * height]
        for side in (tile[:, :, :half], tile[:, :, half:]):
            rows.append(np.concatenate(list(side), axis=1))
    return np.concatenate(rows, axis=0)


def encode_gif(frames, fps=8):
    """uint8 (T, H, W, 3) -> bytes of a looping animated GIF."""
    return iio.imwrite("<bytes>", np.asarray(frames, np.uint8), extension=".gif",
                       duration=1000.0 / fps, loop=0)


def write_gif_summary(tag, frames, step, fps=8):
    """Writes an animated GIF image summary to the default summary writer.

    Args:
      tag: summary tag.
      frames: uint8 (T, H, W, 3).
      step: int step.
    """
    frames = np.asarray(frames, np.uint8)
    image = tf.compat.v1.Summary.Image(height=frames.shape[1], width=frames.shape[2],
                                       colorspace=3, encoded_image_string=encode_gif(frames, fps))
    summary = tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(tag=tag, image=image)])
    tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=step)


def write_png(path, image):
    """Writes uint8 (H, W, 3) as a PNG, atomically."""
    buffer = io.BytesIO()
    iio.imwrite(buffer, np.asarray(image, np.uint8), extension=".png")
    checkpoints.write_atomically(path, buffer.getvalue())
    return path


def write_gif(path, frames, fps=8):
    """Writes uint8 (T, H, W, 3) as a looping animated GIF, atomically."""
    checkpoints.write_atomically(path, encode_gif(frames, fps))
    return path


def sequence_metrics(generated, targets, valid=None):
    """Mean MSE ([-1, 1] scale) and PSNR/SSIM (RGB in [0, 1], tf.image defaults).

    Args:
      generated, targets: float (B, T, H, W, 3) in [-1, 1].
      valid: optional float (B, T) in {0, 1}: the frames to score (default all).

    Returns:
      dict of Python floats "mse", "psnr", "ssim": per frame, averaged over the scored
      frames of all clips.
    """
    generated = tf.clip_by_value(tf.cast(generated, tf.float32), -1.0, 1.0)
    targets = tf.cast(targets, tf.float32)
    shape = tf.shape(generated)
    frame_shape = tuple(generated.shape[2:])
    a = tf.reshape((generated + 1) / 2, (-1,) + frame_shape)
    b = tf.reshape((targets + 1) / 2, (-1,) + frame_shape)
    scores = {"mse": tf.reduce_mean(tf.square(generated - targets), axis=[2, 3, 4]),
              "psnr": tf.reshape(tf.image.psnr(a, b, 1.0), shape[:2]),
              "ssim": tf.reshape(tf.image.ssim(a, b, 1.0), shape[:2])}
    valid = tf.ones(shape[:2]) if valid is None else tf.cast(valid, tf.float32)
    count = tf.maximum(tf.reduce_sum(valid), 1.0)
    return {k: float(tf.reduce_sum(v * valid) / count) for k, v in scores.items()}


def samples_path(workdir, step, extension=".png"):
    """DIR/samples/step_<step><extension>: the strip (.png) or the animation (.gif)."""
    return os.path.join(workdir, "samples", f"step_{int(step):06d}{extension}")
