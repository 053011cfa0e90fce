"""Loss functions against hand-computed values."""
import math

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf import losses


def test_mse_matches_hand_value():
    gen = np.zeros((1, 2, 2, 2, 1), np.float32)
    tgt = np.zeros_like(gen)
    tgt[0, 0] = 1.0   # frame 0: every pixel off by 1
    tgt[0, 1, 0, 0] = 2.0  # frame 1: one of 4 pixels off by 2
    np.testing.assert_allclose(losses.per_frame_mse(gen, tgt).numpy(), [[1.0, 1.0]])
    assert losses.mse_loss(gen, tgt).numpy() == pytest.approx(1.0)


def test_adversarial_loss_is_minus_log_d():
    logits = np.array([[0.0], [2.0]], np.float32)
    d = 1 / (1 + np.exp(-logits))
    expected = np.mean(-np.log(d))
    assert losses.generator_adversarial_loss(logits).numpy() == pytest.approx(expected, rel=1e-6)
    # Stable for very confident discriminators.
    assert np.isfinite(losses.generator_adversarial_loss(np.array([[-200.0]], np.float32)).numpy())


def test_generator_loss_weights_adversarial_term():
    gen = np.zeros((1, 1, 2, 2, 1), np.float32)
    tgt = np.ones_like(gen)
    logits = np.zeros((1, 1), np.float32)
    value = losses.generator_loss(gen, tgt, logits, lambda_adv=0.005).numpy()
    assert value == pytest.approx(1.0 + 0.005 * math.log(2), rel=1e-6)


def test_discriminator_loss():
    real = np.array([[0.0]], np.float32)
    fake = np.array([[0.0]], np.float32)
    assert losses.discriminator_loss(real, fake).numpy() == pytest.approx(2 * math.log(2))
    assert losses.discriminator_loss(np.array([[30.0]]), np.array([[-30.0]])).numpy() < 1e-6


def test_td_targets_end_the_episode_at_the_last_frame():
    rewards = np.array([[-1.0, -2.0, -3.0]], np.float32)
    next_q = np.array([[10.0, 20.0, 30.0]], np.float32)
    np.testing.assert_allclose(losses.td_targets(rewards, next_q, 0.9).numpy(),
                               [[-1.0 + 9.0, -2.0 + 18.0, -3.0]])


def test_td_loss_kinds():
    q = np.array([[0.5, 3.0]], np.float32)
    y = np.array([[0.0, 0.0]], np.float32)
    assert losses.td_loss(q, y, "mse").numpy() == pytest.approx((0.25 + 9.0) / 2)
    assert losses.td_loss(q, y, "huber").numpy() == pytest.approx((0.125 + 2.5) / 2)
    with pytest.raises(ValueError, match="td loss"):
        losses.td_loss(q, y, "l3")


def test_td_loss_does_not_differentiate_targets():
    q = tf.Variable([[1.0]])
    y = tf.Variable([[0.0]])
    with tf.GradientTape() as tape:
        loss = losses.td_loss(q, y, "mse")
    grad_q, grad_y = tape.gradient(loss, [q, y])
    assert grad_q.numpy()[0, 0] == pytest.approx(2.0)
    assert grad_y is None


def test_motion_weighted_mse_counts_moving_pixels_more():
    """Ours, not in the paper: hand-computed on a 1x2 frame with one moving pixel."""
    still = np.zeros((1, 1, 2, 1), np.float32)
    target = np.array([[[[[0.5], [0.0]]]]], np.float32)  # pixel 0 moves, pixel 1 stays
    generated = np.array([[[[[0.0], [0.2]]]]], np.float32)
    value = losses.motion_weighted_mse(generated, target, still, weight=3.0)
    # weights 4 and 1: (4 * 0.25 + 1 * 0.04) / (4 + 1)
    np.testing.assert_allclose(value.numpy(), [[(4 * 0.25 + 0.04) / 5]], rtol=1e-6)
    plain = losses.motion_weighted_mse(generated, target, still, weight=0.0)
    np.testing.assert_allclose(plain.numpy(), losses.per_frame_mse(generated, target).numpy(),
                               rtol=1e-6)
