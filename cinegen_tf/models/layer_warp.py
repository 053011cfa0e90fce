"""Turning and stretching the moving layer about its centroid (ours, not in the paper).

A translation cannot draw the synthetic `rotate` and `scale` patterns. With
`LayeredGenerator(transform=True)` the LSTM also gives, per frame, an angle and two scale
factors, and the layer (premultiplied colour and alpha) is warped by them about the
mask's centroid before it is shifted. The warp samples bilinearly, so the angle and the
scales get gradients from the frame's MSE.

Coordinates: pixel (i, j) has its centre at (i, j), y pointing down; a positive angle
turns the layer counter-clockwise as seen on screen (as cinegen_tf/data/trajectories.py).
"""
import tensorflow as tf

MAX_LOG_SCALE = 0.7  # scale factors in [1/2, 2]


def angle_and_scales(raw):
    """Head outputs (B, 3) -> angle (B,) radians (unbounded) and scales (B, 2) (y, x)."""
    raw = tf.cast(raw, tf.float32)
    return raw[:, 0], tf.exp(MAX_LOG_SCALE * tf.tanh(raw[:, 1:]))


def bilinear_sample(image, ys, xs):
    """Samples `image` (B, H, W, C) at float pixel coordinates ys, xs (B, H, W); 0 outside.

    Returns float32 (B, H, W, C), differentiable in the image and in the coordinates.
    """
    image = tf.cast(image, tf.float32)
    shape = tf.shape(image)
    b, h, w, c = shape[0], shape[1], shape[2], shape[3]
    flat = tf.reshape(image, [-1, c])
    y0, x0 = tf.floor(ys), tf.floor(xs)
    wy, wx = ys - y0, xs - x0
    batch = tf.range(b)[:, None, None] * h * w
    out = 0.0
    for dy, dx, weight in ((0, 0, (1 - wy) * (1 - wx)), (0, 1, (1 - wy) * wx),
                           (1, 0, wy * (1 - wx)), (1, 1, wy * wx)):
        yi, xi = tf.cast(y0, tf.int32) + dy, tf.cast(x0, tf.int32) + dx
        inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
        index = batch + tf.clip_by_value(yi, 0, h - 1) * w + tf.clip_by_value(xi, 0, w - 1)
        values = tf.gather(flat, index)  # (B, H, W, C)
        out += values * (weight * tf.cast(inside, tf.float32))[..., None]
    return out


def warp(layer, centre, angle, scales):
    """Turns `layer` by `angle` and stretches it by `scales` about `centre`.

    Args:
      layer: float (B, S, S, C).
      centre: float32 (B, 2) pixel coordinates (y, x) of the fixed point.
      angle: float32 (B,) radians, counter-clockwise on screen.
      scales: float32 (B, 2) > 0, the stretch along y and x (before turning).

    Returns:
      float32 (B, S, S, C): output pixel p shows layer pixel
      centre + R(-angle) (p - centre) / scales, bilinearly.
    """
    size = tf.shape(layer)[1]
    grid = tf.cast(tf.range(size), tf.float32)
    dy_up = -(grid[None, :, None] - centre[:, 0, None, None])  # (B, S, 1), y pointing up
    dx = grid[None, None, :] - centre[:, 1, None, None]  # (B, 1, S)
    cos, sin = tf.cos(angle)[:, None, None], tf.sin(angle)[:, None, None]
    src_x = (cos * dx + sin * dy_up) / scales[:, 1, None, None]
    src_y_up = (-sin * dx + cos * dy_up) / scales[:, 0, None, None]
    return bilinear_sample(layer, centre[:, 0, None, None] - src_y_up,
                           centre[:, 1, None, None] + src_x)


def centroid_pixels(geometry, size):
    """layered.layer_geometry's (B, 5) -> the centroid (B, 2) in pixel coordinates."""
    return (geometry[:, :2] + 1.0) / 2.0 * (size - 1)

