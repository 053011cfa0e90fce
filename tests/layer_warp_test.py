"""Turning and stretching the moving layer (models/layer_warp.py, ours): known answers."""
import math

import numpy as np
import tensorflow as tf

from cinegen_tf.models import layer_warp
from cinegen_tf.models.layered import LayeredGenerator


def _bar():
    """(1, 15, 15, 1): a horizontal bar 3 px high and 9 px wide centred on (7, 7)."""
    image = np.zeros((1, 15, 15, 1), np.float32)
    image[0, 6:9, 3:12] = 1.0
    return tf.constant(image)


def test_identity_and_a_quarter_turn():
    bar, centre = _bar(), tf.constant([[7.0, 7.0]])
    same = layer_warp.warp(bar, centre, tf.zeros(1), tf.ones((1, 2)))
    np.testing.assert_allclose(same.numpy(), bar.numpy(), atol=1e-6)
    turned = layer_warp.warp(bar, centre, tf.constant([math.pi / 2]), tf.ones((1, 2)))
    np.testing.assert_allclose(turned.numpy()[0, ..., 0], bar.numpy()[0, ..., 0].T, atol=1e-5)


def test_counter_clockwise_on_screen_and_stretch():
    dot = np.zeros((1, 15, 15, 1), np.float32)
    dot[0, 7, 11] = 1.0  # right of the centre
    turned = layer_warp.warp(tf.constant(dot), tf.constant([[7.0, 7.0]]),
                             tf.constant([math.pi / 2]), tf.ones((1, 2)))
    assert np.unravel_index(np.argmax(turned.numpy()), (15, 15)) == (3, 7)  # now above it
    wide = layer_warp.warp(_bar(), tf.constant([[7.0, 7.0]]), tf.zeros(1),
                           tf.constant([[1.0, 1.5]]))
    assert int((wide.numpy()[0, 7, :, 0] > 0.5).sum()) == 13  # 9 px wide -> ~13


def test_angle_gets_a_gradient_and_the_generator_starts_untransformed():
    angle = tf.Variable([0.1])
    with tf.GradientTape() as tape:
        out = layer_warp.warp(_bar(), tf.constant([[7.0, 7.0]]), angle, tf.ones((1, 2)))
        loss = tf.reduce_sum((out - _bar()) ** 2)
    assert abs(float(tape.gradient(loss, angle)[0])) > 0
    images = tf.random.uniform((2, 16, 16, 3), -1, 1, seed=1)
    tf.keras.utils.set_random_seed(0)
    a = LayeredGenerator(z_dim=8, num_actions=0, image_size=16, width=4, refine=False).build_all()
    tf.keras.utils.set_random_seed(0)
    b = LayeredGenerator(z_dim=8, num_actions=0, image_size=16, width=4, refine=False,
                         transform=True).build_all()
    assert b.count_params() == a.count_params() + 3 * (8 + 1)
    np.testing.assert_allclose(b(images, num_frames=3)["frames"].numpy(),
                               a(images, num_frames=3)["frames"].numpy(), atol=1e-5)
