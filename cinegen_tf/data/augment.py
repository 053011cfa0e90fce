"""Clip-level augmentation of real cinemagraphs (Sec. 5.3).

"We augment the training data by cropping different regions from frames (random
location fixed across time) and flipping frames left-right across time": one crop
window and one flip decision per clip, applied to every frame alike, so the motion
between frames is preserved. Evaluation takes the centre crop. All randomness is
stateless: the same `seed` gives the same crop and flip on any machine.

Clips are `(T, H, W, C)` tensors of any dtype; seeds are `(2,)` int32/int64 tensors as
taken by `tf.random.stateless_*`.
"""
import tensorflow as tf


def _check_size(video: tf.Tensor, size: int) -> None:
    if video.shape.rank is not None and video.shape.rank != 4:
        raise ValueError(f"expected a (T, H, W, C) clip, got shape {video.shape}")
    height, width = video.shape[1], video.shape[2]
    if (height is not None and height < size) or (width is not None and width < size):
        raise ValueError(f"clip of shape {video.shape} is smaller than the {size}x{size} crop")


def center_crop_clip(video: tf.Tensor, size: int) -> tf.Tensor:
    """`(T, H, W, C)` -> `(T, size, size, C)`: the centre window of every frame."""
    _check_size(video, size)
    shape = tf.shape(video)
    top, left = (shape[1] - size) // 2, (shape[2] - size) // 2
    return video[:, top:top + size, left:left + size, :]


def random_crop_clip(video: tf.Tensor, size: int, seed: tf.Tensor) -> tf.Tensor:
    """`(T, H, W, C)` -> `(T, size, size, C)`: one uniformly drawn window for all frames."""
    _check_size(video, size)
    shape = tf.shape(video)
    # Cropping the whole 4-D clip with the full T and C: only the (y, x) offset is drawn.
    return tf.image.stateless_random_crop(
        video, size=tf.stack([shape[0], size, size, shape[3]]), seed=seed)


def random_flip_clip(video: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """`(T, H, W, C)` -> same shape: every frame flipped left-right with probability 1/2."""
    flip = tf.random.stateless_uniform([], seed=seed) < 0.5
    return tf.cond(flip, lambda: tf.reverse(video, axis=[2]), lambda: video)


def augment_clip(video: tf.Tensor, seed: tf.Tensor, *, size: int = 64,
                 training: bool = False) -> tf.Tensor:
    """Training: random crop + random flip of the whole clip; evaluation: centre crop.

    Args:
        video: `(T, H, W, C)` clip with H, W >= `size`.
        seed: `(2,)` integer seed of this clip's draws (unused when not training).
        size: side of the square output.
        training: whether to draw the crop and flip.

    Returns:
        `(T, size, size, C)`, same dtype as `video`.
    """
    if not training:
        return center_crop_clip(video, size)
    crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(seed, num=2))
    return random_flip_clip(random_crop_clip(video, size, crop_seed), flip_seed)
