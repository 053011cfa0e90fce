"""Full-resolution cinemagraphs: a motion mask at model resolution, compositing at full.

The model (Sec. 3) works on a 64x64 square. What we carry to the photo is how its
generated frames change over time, delta_t = g_t - g_0 (g = the looped generated
frames, `pipeline`), never f_t - x: the difference from the photo x is mostly the
model's reconstruction error, which would move every pixel of a photo the model cannot
reproduce. delta_0 = 0, so frame 0 is the photo.

1. motion mask (model resolution): m = max_t mean_c |delta_t|; pixels with
   m > threshold move; the region is dilated by `dilation` model pixels (3x3 max pools,
   to cover the edges of moving things) and feathered by one 3x3 mean, giving alpha in
   [0, 1]. A user mask multiplies it (at full resolution).
2. compositing (full resolution): F_t = round(P + user * up(127.5 * alpha * delta_t)),
   P the photo, `up` the bilinear upsampling of `resampling`. Where alpha (and so every
   value `up` reads) is 0, F_t = P exactly: the static background is pixel-identical to
   the photo, and the photo's own detail survives inside the moving region.

Each frame is composited by one XLA-compiled function (two matrix products fused with the
arithmetic: one pass over the frame's memory). It always covers the whole frame: that
costs ~10 ms per 1080p frame, while cropping to the motion region's bounding box would
need a new XLA compilation (~0.3 s) for every box size.
"""
import tensorflow as tf

from cinegen_tf.inference import resampling


def motion_alpha(deltas, threshold=0.1, dilation=1):
    """The model's motion region as a soft mask (model resolution).

    Args:
      deltas: float32 (T, S, S, 3), changes g_t - g_0 of the generated frames over time,
        in [-2, 2] (T >= 1).
      threshold: change (in [-1, 1] pixel units, 0.1 ~ 13 grey levels) above which a
        pixel moves.
      dilation: Python int >= 0, 3x3 dilations of the region before feathering.

    Returns:
      float32 (S, S) in [0, 1]; 0 exactly outside the (dilated, feathered) region.
    """
    magnitude = tf.reduce_max(tf.reduce_mean(tf.abs(deltas), axis=-1), axis=0)
    region = tf.cast(magnitude > threshold, tf.float32)[None, :, :, None]
    for _ in range(int(dilation)):
        region = tf.nn.max_pool2d(region, 3, 1, "SAME")
    # TF's SAME average pooling averages only pixels inside the image: borders keep 1.
    feathered = tf.nn.avg_pool2d(region, 3, 1, "SAME")
    return tf.clip_by_value(feathered[0, :, :, 0], 0.0, 1.0)


@tf.function(jit_compile=True)
def composite_frame(photo, weight, change, rows, cols):
    """One full-resolution frame: round(photo + weight / 255 * up(change)), as uint8.

    Args:
      photo: uint8 (H, W, 3).
      weight: uint8 (H, W), the user's mask (255 = may move; all 255 without one).
      change: float32 (S, S, 3), alpha * delta_t in grey levels ([-255, 255]).
      rows, cols: float32 (H, S) and (W, S), `resampling.resize_matrix` weights.

    Returns:
      uint8 (H, W, 3).
    """
    tall = tf.einsum("ys,stc->cyt", rows, change)  # (3, H, S): one matmul per channel
    up = tf.einsum("cyt,xt->yxc", tall, cols)  # (H, W, 3)
    scale = tf.cast(weight, tf.float32) / 255.0
    frame = tf.cast(photo, tf.float32) + scale[:, :, None] * up
    return tf.cast(tf.clip_by_value(tf.round(frame), 0.0, 255.0), tf.uint8)


def composite(photo, deltas, alpha, weight):
    """Applies the predicted changes to the full-resolution photo.

    Args:
      photo: uint8 (H, W, 3).
      deltas: float32 (L, S, S, 3) with a static L, the changes g_t - g_0 in [-2, 2]
        (delta_0 = 0 gives frame 0 = the photo).
      alpha: float32 (S, S) in [0, 1], from `motion_alpha`.
      weight: uint8 (H, W), the user's mask at full resolution.

    Returns:
      uint8 (L, H, W, 3).
    """
    size = tf.shape(deltas)[1]
    rows = resampling.resize_matrix(tf.shape(photo)[0], size)
    cols = resampling.resize_matrix(tf.shape(photo)[1], size)
    changes = deltas * (127.5 * alpha)[None, :, :, None]
    # One XLA call per frame keeps the float intermediates at one frame (a 12 MP photo
    # would need ~3 GB for 21 frames at once); XLA compiles once per photo size.
    return tf.stack([composite_frame(photo, weight, changes[t], rows, cols)
                     for t in range(deltas.shape[0])])


def full_resolution_mask(alpha, weight):
    """The motion region at full resolution: uint8 (H, W) = round(up(alpha) * weight).

    Args:
      alpha: float32 (S, S) in [0, 1]; weight: uint8 (H, W), the user's mask.

    A pixel where this is 0 is unchanged in every frame: its change is at most
    255 * up(alpha) * weight / 255 < 0.5 grey levels, which rounding removes.
    """
    rows = resampling.resize_matrix(tf.shape(weight)[0], tf.shape(alpha)[0])
    cols = resampling.resize_matrix(tf.shape(weight)[1], tf.shape(alpha)[1])
    up = tf.matmul(tf.matmul(rows, alpha), cols, transpose_b=True)
    return tf.cast(tf.round(tf.clip_by_value(up, 0.0, 1.0) * tf.cast(weight, tf.float32)),
                   tf.uint8)
