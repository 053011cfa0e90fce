"""Mathieu et al. baseline: shapes, parameter counts, losses by hand, a one-step train smoke."""
import math

import numpy as np
import pytest
import keras
import tensorflow as tf

from cinegen_tf import losses
from cinegen_tf.models import mathieu
from cinegen_tf.training import mathieu_step

# Tiny networks for the training tests (the default ones cost GFLOPs per frame).
TINY_G = dict(feature_maps=((4, 4), (4, 4), (4, 4), (4, 4)),
              kernel_sizes=((3, 3, 3), (3, 3, 3), (3, 3, 3), (3, 3, 3)))
TINY_D = dict(feature_maps=((4,), (4,), (4,), (4,)), kernel_sizes=((1,), (3,), (3,), (3,)),
              dense_units=((8,), (8,), (8,), (8,)))


def _conv(kernel, n_in, n_out):
    return kernel * kernel * n_in * n_out + n_out


def _dense(n_in, n_out):
    return n_in * n_out + n_out


def test_generator_shapes_and_parameter_count():
    generator = mathieu.MathieuGenerator()
    images = tf.random.uniform((2, 16, 16, 3), -1, 1)
    outputs = generator(images)
    assert [tuple(o.shape) for o in outputs] == [(2, s, s, 3) for s in (2, 4, 8, 16)]
    # Scale 0 sees the 3-channel input; scales 1-3 also the upsampled prediction (6).
    expected = (_conv(3, 3, 128) + _conv(3, 128, 256) + _conv(3, 256, 128) + _conv(3, 128, 3)
                + _conv(5, 6, 128) + _conv(3, 128, 256) + _conv(3, 256, 128) + _conv(5, 128, 3)
                + _conv(5, 6, 128) + _conv(3, 128, 256) + _conv(3, 256, 512)
                + _conv(3, 512, 256) + _conv(3, 256, 128) + _conv(5, 128, 3)
                + _conv(7, 6, 128) + _conv(5, 128, 256) + _conv(5, 256, 512)
                + _conv(5, 512, 256) + _conv(5, 256, 128) + _conv(7, 128, 3))
    assert generator.count_params() == expected
    frames = generator.rollout(images[:1], 2).numpy()
    assert frames.shape == (1, 2, 16, 16, 3)
    assert np.all(np.abs(frames) <= 1.0)
    # Stateless: frame 2 is the generator applied to frame 1.
    np.testing.assert_allclose(frames[:, 1], generator(frames[:, 0])[-1].numpy(), atol=1e-5)
    clone = mathieu.MathieuGenerator.from_config(generator.get_config())
    assert clone.feature_maps == generator.feature_maps


def test_discriminator_shapes_and_parameter_count():
    discriminator = mathieu.MathieuDiscriminator(image_size=32)
    logits = discriminator(mathieu.image_pyramid(tf.zeros((3, 32, 32, 3))))
    assert [tuple(l.shape) for l in logits] == [(3, 1)] * 4
    # Scale sizes 4, 8, 16, 32; 'valid' convs shrink by k - 1, then a 2x2 max-pool.
    s0 = _conv(3, 3, 64) + _dense(1 * 1 * 64, 512) + _dense(512, 256) + _dense(256, 1)
    s1 = (_conv(3, 3, 64) + _conv(3, 64, 128) + _conv(3, 128, 128)  # 8 -> 2 -> pool 1
          + _dense(1 * 1 * 128, 1024) + _dense(1024, 512) + _dense(512, 1))
    s2 = (_conv(5, 3, 128) + _conv(5, 128, 256) + _conv(5, 256, 256)  # 16 -> 4 -> pool 2
          + _dense(2 * 2 * 256, 1024) + _dense(1024, 512) + _dense(512, 1))
    s3 = (_conv(7, 3, 128) + _conv(7, 128, 256) + _conv(5, 256, 512) + _conv(5, 512, 128)
          + _dense(6 * 6 * 128, 1024) + _dense(1024, 512) + _dense(512, 1))  # 32 -> 12 -> 6
    assert discriminator.count_params() == s0 + s1 + s2 + s3
    with pytest.raises(ValueError, match="too small"):
        mathieu.MathieuDiscriminator(image_size=16)
    with pytest.raises(ValueError, match="multiple of 8"):
        mathieu.MathieuDiscriminator(image_size=36)
    with pytest.raises(ValueError, match="scale 0 frames must be"):
        discriminator(mathieu.image_pyramid(tf.zeros((1, 64, 64, 3))))


def test_image_pyramid_is_box_average():
    images = tf.random.uniform((1, 8, 8, 2))
    coarse = mathieu.image_pyramid(images)[0].numpy()
    np.testing.assert_allclose(coarse[0, 0, 0], images.numpy().mean(axis=(0, 1, 2)), rtol=1e-5)


def test_gradient_difference_loss_by_hand():
    generated = np.zeros((2, 2, 2, 1), np.float32)
    target = np.zeros_like(generated)
    generated[0, :, :, 0] = [[0, 3], [2, 3]]
    target[0, :, :, 0] = [[0, 0], [1, 1]]
    # Down: |Y| = (1, 1), |G| = (2, 0) -> |1-2| + |1-0| = 2. Right: |Y| = (0, 0),
    # |G| = (3, 1) -> 4. Example 1 is all zeros (0); batch mean of (6, 0) = 3.
    assert losses.gradient_difference_loss(generated, target, alpha=1).numpy() == pytest.approx(3)
    # alpha 2: 1 + 1 + 9 + 1 = 12 -> mean 6.
    assert losses.gradient_difference_loss(generated, target, alpha=2).numpy() == pytest.approx(6)


def test_lp_and_clipped_bce_by_hand():
    generated = np.array([[[[1.0], [-1.0]]]], np.float32)  # (1, 1, 2, 1)
    target = np.zeros_like(generated)
    assert losses.lp_loss(generated, target, p=2).numpy() == pytest.approx(2.0)
    logits = np.array([[0.0], [10.0]], np.float32)
    # D = 0.5 and 0.9 (clipped from sigmoid(10)).
    assert losses.clipped_binary_cross_entropy(logits, 1.0).numpy() == pytest.approx(
        (math.log(2) - math.log(0.9)) / 2, rel=1e-6)
    assert losses.clipped_binary_cross_entropy(logits, 0.0).numpy() == pytest.approx(
        (math.log(2) - math.log(0.1)) / 2, rel=1e-6)
    unclipped = losses.clipped_binary_cross_entropy(logits, 0.0, probability_clip=0.0).numpy()
    assert unclipped == pytest.approx((math.log(2) + 10 + math.log1p(math.exp(-10))) / 2,
                                      rel=1e-5)
    scales = [tf.ones((1, 2, 2, 3)), tf.ones((1, 4, 4, 3))]
    zeros = [tf.zeros_like(s) for s in scales]
    total = losses.mathieu_generator_loss(scales, zeros, [tf.zeros((1, 1))] * 2)
    # lp: (12 + 48) / 2 = 30; gdl 0; adv log 2; weights 1, 1, 0.05.
    assert total["loss"].numpy() == pytest.approx(30 + 0.05 * math.log(2), rel=1e-6)


def test_training_pairs_and_patches_keep_frames_aligned():
    # Pixel value = 100 * frame index + row: pairs and crops can be read back.
    t_index = np.arange(5, dtype=np.float32)[None, :, None, None, None]
    rows = np.arange(16, dtype=np.float32)[None, None, :, None, None]
    video = np.broadcast_to(100 * t_index + rows, (2, 5, 16, 16, 3)).astype(np.float32)
    length = tf.constant([5, 3])
    inputs, targets = mathieu_step.training_pairs(video, length, 0, tf.constant([1, 2]))
    assert inputs.shape[0] == 4 + 2
    np.testing.assert_array_equal(targets.numpy() - inputs.numpy(), 100.0)
    inputs, targets = mathieu_step.training_pairs(video, length, 50, tf.constant([3, 4]))
    t = inputs.numpy()[:, 0, 0, 0] // 100
    assert t[:50].max() == 3 and t[50:].max() == 1 and t.min() == 0
    np.testing.assert_array_equal(targets.numpy() - inputs.numpy(), 100.0)
    patch_in, patch_out = mathieu_step.random_patches(inputs, targets, 8, tf.constant([5, 6]))
    assert patch_in.shape == (100, 8, 8, 3)
    np.testing.assert_array_equal(patch_out.numpy() - patch_in.numpy(), 100.0)
    row = patch_in.numpy()[:, :, 0, 0] % 100
    np.testing.assert_array_equal(np.diff(row, axis=1), 1.0)  # contiguous rows
    assert len(set(row[:, 0].tolist())) > 1  # different places per pair


@pytest.mark.parametrize("patch_size, pairs", [(0, 0), (16, 2)])
def test_one_train_step_is_finite_and_changes_weights(patch_size, pairs):
    keras.utils.set_random_seed(0)
    config = mathieu_step.default_config()
    config.patch_size = patch_size
    config.pairs_per_clip = pairs
    config.generator_learning_rate = 1e-3
    generator = mathieu.MathieuGenerator(**TINY_G)
    discriminator = mathieu.MathieuDiscriminator(image_size=patch_size or 32, **TINY_D)
    g_opt, d_opt = mathieu_step.make_mathieu_optimizers(config)
    step = tf.function(mathieu_step.make_mathieu_train_step(generator, discriminator, g_opt,
                                                             d_opt, config))
    before = [v.numpy().copy() for v in generator.weights + discriminator.weights]
    batch = {"video": tf.random.uniform((2, 4, 32, 32, 3), -1, 1), "length": tf.constant([4, 2])}
    metrics = step(batch)
    assert set(metrics) == {"g_loss", "lp_loss", "gdl_loss", "g_adv_loss", "d_loss", "psnr"}
    assert all(np.isfinite(value.numpy()) for value in metrics.values())
    after = [v.numpy() for v in generator.weights + discriminator.weights]
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))
    metrics = step(batch, tf.constant(1, tf.int64), tf.constant([7, 8]))
    assert np.isfinite(metrics["g_loss"].numpy())


def test_config_errors_are_clear():
    config = mathieu_step.default_config()
    config.patch_size = 12
    with pytest.raises(ValueError, match="patch_size = 12"):
        mathieu_step.validate_config(config)
    config = mathieu_step.default_config()
    config.patch_size = 16
    generator = mathieu.MathieuGenerator(**TINY_G)
    discriminator = mathieu.MathieuDiscriminator(image_size=32, **TINY_D)
    with pytest.raises(ValueError, match="image_size = 32 must equal"):
        mathieu_step.make_mathieu_train_step(generator, discriminator, *(
            mathieu_step.make_mathieu_optimizers(config)), config)


def test_checkpoint_round_trip_restores_every_weight(tmp_path):
    models = [mathieu.MathieuGenerator(**TINY_G), mathieu.MathieuDiscriminator(32, **TINY_D)]
    others = [mathieu.MathieuGenerator(**TINY_G), mathieu.MathieuDiscriminator(32, **TINY_D)]
    for pair in (models, others):
        pair[0](tf.zeros((1, 32, 32, 3)))
        pair[1](mathieu.image_pyramid(tf.zeros((1, 32, 32, 3))))
    path = tf.train.Checkpoint(generator=models[0], discriminator=models[1]).write(
        str(tmp_path / "ckpt"))
    status = tf.train.Checkpoint(generator=others[0], discriminator=others[1]).read(path)
    status.assert_consumed()
    for model, other in zip(models, others):
        assert len(model.weights) == len(other.weights) > 0
        for a, b in zip(model.weights, other.weights):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
