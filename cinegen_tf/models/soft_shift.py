"""Soft translation: move an image by a probability distribution over displacements.

Not in the paper: the transport step of our layered generator (models/layered.py).

A displacement distribution p over d in [0, S) turns into the S x S circulant matrix
A[i, j] = p((i - j) mod S), so `A @ image` is the image translated by every d at once,
each copy weighted by p(d), wrapping around the frame's edges (d = S - 1 is one pixel up
or left).
Doing this along y and then x translates by a separable 2-D distribution in two small
matrix products, O(S^3) per channel, instead of an S^2-tap convolution.

Why wrap around: with displacements that push the layer out of the frame (a linear,
non-wrapping range of 2S - 1), putting the probability there made the layer vanish at no
cost, and training fell into that minimum (layer cut out, drawn nowhere: a probe on
"eight", 120 steps of batch 16). A circulant shift has no such escape: the layer's mass is
always somewhere in the frame.

Why a distribution and not a regressed offset: the loss has a gradient for every
displacement d (how much better the frame would be with the layer moved by d), however
far d is from the current guess. A bilinear warp only sees its neighbouring pixels, so a
displacement 30 px away gets no signal; CDNA (Finn et al. 2016) uses normalised kernels
for the same reason.
"""
import tensorflow as tf


def num_displacements(size):
    """Length S of a displacement distribution for frames of S pixels."""
    return int(size)


def shift_matrix(p, size):
    """The translation matrices of displacement distributions.

    Args:
      p: float (..., S), entry d = probability of moving by d pixels (mod S).
      size: Python int S.

    Returns:
      float (..., S, S) with [..., i, j] = p((i - j) mod S): output pixel i takes input
      pixel j.
    """
    size = int(size)
    rows = tf.range(size)[:, None]
    cols = tf.range(size)[None, :]
    return tf.gather(p, (rows - cols) % size, axis=-1)


def soft_shift(images, p_y, p_x):
    """Translates `images` by the separable displacement distributions p_y x p_x.

    Args:
      images: float (B, S, S, C), one image (or layer) per clip.
      p_y, p_x: float (B, T, S), per frame t a distribution over vertical (down) and
        horizontal (right) displacements mod S; rows sum to 1.

    Returns:
      float (B, T, S, S, C): frame t is sum_{dy, dx} p_y(dy) p_x(dx) images shifted by
      (dy, dx), wrapping around. A one-hot p gives an exact integer translation.
    """
    size = int(images.shape[1])
    a_y = shift_matrix(p_y, size)  # (B, T, S, S)
    a_x = shift_matrix(p_x, size)
    rows = tf.einsum("btij,bjwc->btiwc", a_y, images)
    return tf.einsum("btkw,btiwc->btikc", a_x, rows)
