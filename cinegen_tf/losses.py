"""Pure loss functions (Eq. 1-3 of Sec. 3.1, and the Q-learning loss of Sec. 3.2).

All functions take float tensors and return float32 tensors; none touches a model.
Frames are (B, T, H, W, C) in [-1, 1]; logits are unbounded.
"""
import tensorflow as tf


def per_frame_mse(generated, target):
    """Pixel-wise squared error averaged over each frame (Eq. 1 before the mean over t).

    Args:
      generated, target: float (B, T, H, W, C).

    Returns:
      float32 (B, T).
    """
    diff = tf.cast(generated, tf.float32) - tf.cast(target, tf.float32)
    return tf.reduce_mean(tf.square(diff), axis=[2, 3, 4])


def motion_weighted_mse(generated, target, still, weight, threshold=8 / 127.5):
    """Per-frame MSE that counts the pixels that move `1 + weight` times (not in the paper).

    Copying the input is a strong minimum of the plain MSE when the moving object covers
    ~2% of the frame: a generator that moves nothing scores almost as well as one that
    moves it right. Weighting the pixels where the target differs from the still input
    breaks that minimum; each frame is normalised by its total weight, so a frame in which
    nothing moves costs what its plain MSE does.

    Args:
      generated, target: float (B, T, H, W, C) in [-1, 1].
      still: float (B, H, W, C), the input frame x.
      weight: float scalar >= 0 (0 = plain per_frame_mse).
      threshold: a pixel moves where some channel of |target - still| exceeds it (default
        8 grey levels).

    Returns:
      float32 (B, T).
    """
    target = tf.cast(target, tf.float32)
    moved = tf.reduce_max(tf.abs(target - tf.cast(still, tf.float32)[:, None]), axis=-1,
                          keepdims=True) > threshold  # (B, T, H, W, 1)
    weights = 1.0 + tf.cast(weight, tf.float32) * tf.cast(moved, tf.float32)
    squared = tf.square(tf.cast(generated, tf.float32) - target)
    return (tf.reduce_sum(weights * squared, axis=[2, 3, 4])
            / (tf.reduce_sum(weights, axis=[2, 3, 4]) * int(target.shape[-1])))


def mse_loss(generated, target):
    """loss_mse = |Y - G(x)|^2 (Eq. 1), the mean over pixels, frames and batch: scalar."""
    return tf.reduce_mean(per_frame_mse(generated, target))


def generator_adversarial_loss(fake_logits):
    """loss_adv = -log D(G(x)) (Eq. 2), with D = sigmoid(logits), averaged: scalar.

    softplus(-l) = -log sigmoid(l), computed stably.
    """
    return tf.reduce_mean(tf.nn.softplus(-tf.cast(fake_logits, tf.float32)))


def generator_loss(generated, target, fake_logits, lambda_adv):
    """loss = loss_mse + lambda_adv * loss_adv (Eq. 3): scalar.

    lambda_adv is 0.005 for synthetic data and 0.05 for real data (Sec. 5.1).
    """
    return mse_loss(generated, target) + lambda_adv * generator_adversarial_loss(fake_logits)


def discriminator_loss(real_logits, fake_logits):
    """Binary cross-entropy of D: -log D(y) - log(1 - D(G(x))), averaged: scalar."""
    real = tf.reduce_mean(tf.nn.softplus(-tf.cast(real_logits, tf.float32)))
    fake = tf.reduce_mean(tf.nn.softplus(tf.cast(fake_logits, tf.float32)))
    return real + fake


def td_targets(rewards, next_max_q, discount):
    """Q-learning targets y_t = r_t + discount * max_a Q_target(s_{t+1}, a) (Eq. 4).

    The last generated frame ends the episode: its target is r_T alone.

    Args:
      rewards: float (B, T), r_t for the frame generated at step t.
      next_max_q: float (B, T), max_a Q_target(s_{t+1}, a), s_{t+1} = frame t.
      discount: the discount factor sigma in [0, 1].

    Returns:
      float32 (B, T) targets (treat as constants).
    """
    rewards = tf.cast(rewards, tf.float32)
    next_max_q = tf.cast(next_max_q, tf.float32)
    not_last = tf.concat([tf.ones_like(rewards[:, :-1]), tf.zeros_like(rewards[:, -1:])], axis=1)
    return rewards + discount * not_last * next_max_q


def td_loss(q_taken, targets, kind="huber"):
    """Temporal-difference loss between Q(s_t, a_t) and the (constant) targets: scalar.

    Args:
      q_taken: float (B, T), Q(s_t, a_t) of the actions taken.
      targets: float (B, T), from `td_targets`; no gradient flows into them.
      kind: "huber" (the DQN of Mnih et al. 2015 clips the error, i.e. Huber with
        delta 1) or "mse".
    """
    error = tf.cast(q_taken, tf.float32) - tf.stop_gradient(tf.cast(targets, tf.float32))
    if kind == "mse":
        return tf.reduce_mean(tf.square(error))
    if kind == "huber":
        abs_error = tf.abs(error)
        quadratic = tf.minimum(abs_error, 1.0)
        return tf.reduce_mean(0.5 * tf.square(quadratic) + (abs_error - quadratic))
    raise ValueError(f"unknown td loss kind {kind!r}; expected 'huber' or 'mse'")


# Mathieu et al. 2016 baseline (Sec. 5.2; cinegen_tf/models/mathieu.py). Its losses are
# sums over pixels per example, averaged over the batch here, then over the scales, as in
# its public implementation (which summed over the batch: a factor B on every term). Logs
# are natural, as in that paper's equations; the implementation's BCE used log10, which
# made its adversarial term 1 / ln 10 = 0.43 times as large.


def lp_loss(generated, target, p=2):
    """L_p = ||G(X) - Y||_p^p of Mathieu et al., summed per example, mean over batch: scalar.

    Args:
      generated, target: float (B, H, W, C).
      p: the norm's exponent (2 for the baseline's L2).
    """
    diff = tf.abs(tf.cast(generated, tf.float32) - tf.cast(target, tf.float32))
    return tf.reduce_mean(tf.reduce_sum(diff ** float(p), axis=[1, 2, 3]))


def gradient_difference_loss(generated, target, alpha=1):
    """Mathieu et al.'s image gradient difference loss (GDL), summed per example: scalar.

    GDL = sum_{i,j} ||Y_{i,j} - Y_{i-1,j}| - |G_{i,j} - G_{i-1,j}||^alpha
        + ||Y_{i,j-1} - Y_{i,j}| - |G_{i,j-1} - G_{i,j}||^alpha,
    over neighbouring pixels inside the frame and every channel (the public implementation
    also differenced against its 'same' zero padding at the border; we do not), then the
    mean over the batch.

    Args:
      generated, target: float (B, H, W, C).
      alpha: the exponent (1 for the baseline).
    """
    generated = tf.cast(generated, tf.float32)
    target = tf.cast(target, tf.float32)

    def term(axis):
        size = tf.shape(generated)[axis]
        grad_g = tf.abs(tf.gather(generated, tf.range(1, size), axis=axis)
                        - tf.gather(generated, tf.range(0, size - 1), axis=axis))
        grad_t = tf.abs(tf.gather(target, tf.range(1, size), axis=axis)
                        - tf.gather(target, tf.range(0, size - 1), axis=axis))
        return tf.reduce_sum(tf.abs(grad_t - grad_g) ** float(alpha), axis=[1, 2, 3])

    return tf.reduce_mean(term(1) + term(2))


def clipped_binary_cross_entropy(logits, label, probability_clip=0.1):
    """-[y log D + (1 - y) log(1 - D)], D = sigmoid(logits) clipped to [c, 1 - c]: scalar mean.

    Mathieu et al.'s implementation clips D's output to [0.1, 0.9] "for stability" (which
    also stops gradients where D is sure). probability_clip = 0 gives the plain, stable
    cross-entropy on logits.

    Args:
      logits: float (B, 1) discriminator logits.
      label: 1.0 (real) or 0.0 (generated).
      probability_clip: c in [0, 0.5).
    """
    logits = tf.cast(logits, tf.float32)
    labels = tf.fill(tf.shape(logits), float(label))
    if not probability_clip:
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels, logits))
    d = tf.clip_by_value(tf.sigmoid(logits), probability_clip, 1.0 - probability_clip)
    return tf.reduce_mean(-(labels * tf.math.log(d) + (1.0 - labels) * tf.math.log(1.0 - d)))


def mathieu_generator_loss(generated_scales, target_scales, fake_logits_scales, lambda_lp=1.0,
                           lambda_gdl=1.0, lambda_adv=0.05, p=2, alpha=1, probability_clip=0.1):
    """lambda_lp L_p + lambda_gdl GDL + lambda_adv L_adv of Mathieu et al., over scales.

    Each term is averaged over the scales. The defaults are the intended ones (L2, GDL
    alpha 1, weights 1, 1, 0.05); the public implementation's call ignored them and ran
    adversarial weight 1 and alpha 2 (DESIGN.md). Pass fake_logits_scales=None (or
    lambda_adv=0) for the non-adversarial variant.

    Args:
      generated_scales, target_scales: lists of float (B, H_k, W_k, C), coarse to fine.
      fake_logits_scales: list of float (B, 1), D's logits on generated_scales, or None.

    Returns:
      dict of float32 scalars: "loss" (the total), "lp", "gdl", "adv" (unweighted terms).
    """
    if len(generated_scales) != len(target_scales):
        raise ValueError(f"{len(generated_scales)} generated scales vs {len(target_scales)} "
                         "target scales")
    pairs = list(zip(generated_scales, target_scales))
    lp = tf.reduce_mean(tf.stack([lp_loss(g, t, p) for g, t in pairs]))
    gdl = tf.reduce_mean(tf.stack([gradient_difference_loss(g, t, alpha) for g, t in pairs]))
    adv = tf.constant(0.0)
    if fake_logits_scales is not None:
        adv = tf.reduce_mean(tf.stack([clipped_binary_cross_entropy(l, 1.0, probability_clip)
                                       for l in fake_logits_scales]))
    loss = lambda_lp * lp + lambda_gdl * gdl + lambda_adv * adv
    return {"loss": loss, "lp": lp, "gdl": gdl, "adv": adv}


def mathieu_discriminator_loss(real_logits_scales, fake_logits_scales, probability_clip=0.1):
    """Mathieu et al.'s multi-scale D loss: BCE(real -> 1) + BCE(fake -> 0), mean over scales.

    The public implementation summed the BCE over the B real and B generated frames; the
    sum of the two batch means here is that sum / B: scalar.
    """
    terms = [clipped_binary_cross_entropy(r, 1.0, probability_clip)
             + clipped_binary_cross_entropy(f, 0.0, probability_clip)
             for r, f in zip(real_logits_scales, fake_logits_scales)]
    return tf.reduce_mean(tf.stack(terms))
