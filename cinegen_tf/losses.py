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
