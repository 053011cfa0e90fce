"""Our layered generator (not in the paper): soft shift, shapes, parameter count, still
pixels, one training step, checkpoint round trip, resume, and generate == export."""
import importlib.util
import pathlib

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.models import soft_shift
from cinegen_tf.models.layered import (ACTION_EMBEDDING, CLOCK_PERIODS, LayeredGenerator,
                                       clock_features, layer_geometry)
from cinegen_tf.training import checkpoints, config_lib, train_lib

_spec = importlib.util.spec_from_file_location(
    "train_test_data", pathlib.Path(__file__).with_name("train_test.py"))
train_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train_data)


def one_hot(index, size, batch=2):
    return tf.one_hot(tf.fill([batch, 1], index), size)


def test_one_hot_soft_shift_is_an_exact_wrapping_translation():
    images = tf.random.uniform((2, 8, 8, 3))
    moved = soft_shift.soft_shift(images, one_hot(2, 8), one_hot(8 - 3, 8))[:, 0]
    np.testing.assert_array_equal(moved.numpy(), np.roll(images.numpy(), (2, -3), (1, 2)))


def test_soft_shift_mixes_translations_by_their_probabilities():
    images = tf.random.uniform((1, 8, 8, 1))
    p = tf.constant([[[0.25, 0.75, 0, 0, 0, 0, 0, 0]]])
    no_move = tf.one_hot([[0]], 8)
    moved = soft_shift.soft_shift(images, p, no_move)[0, 0]
    expected = 0.25 * images[0] + 0.75 * np.roll(images[0].numpy(), 1, axis=0)
    np.testing.assert_allclose(moved.numpy(), expected, rtol=1e-6)


def test_far_displacements_get_a_gradient():
    """The reason for a distribution: a target 20 px away pulls the right logit."""
    size = 32
    image = np.zeros((1, size, size, 1), np.float32)
    image[0, 4:8, 4:8] = 1.0
    target = np.roll(image, 20, axis=1)
    logits = tf.Variable(tf.zeros((1, 1, size)))
    with tf.GradientTape() as tape:
        moved = soft_shift.soft_shift(image, tf.nn.softmax(logits), tf.one_hot([[0]], size))
        loss = tf.reduce_mean((moved[:, 0] - target) ** 2)
    grad = tape.gradient(loss, logits).numpy()[0, 0]
    assert np.argmin(grad) == 20  # descending the loss raises the logit of d = 20 most


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def expected_params(w, z, n, s, refine, moving_layer=True, clock=False):
    count = conv(3, 5, w) + conv(3, w, 2 * w) + conv(3, 2 * w, 3 * w) + conv(3, 3 * w, 4 * w)
    if moving_layer:  # U-Net decoder of mask + hole, z, LSTM, displacement heads
        count += (conv(3, 7 * w, 3 * w) + conv(3, 5 * w, 2 * w) + conv(3, 3 * w, w)
                  + conv(3, w, 4))
        count += (s // 8) ** 2 * 4 * w * z + z  # to_z
        c = 2 * len(CLOCK_PERIODS) if clock else 0
        count += 4 * (z * (z + 5 + c + n) + z * z + z)  # LSTM on [z, geometry, clock, a]
        count += 2 * (z * s + s)  # shift_y, shift_x
    if n:  # Q-network: 5x5 convs 32-64-64, dense to N
        count += conv(5, 3, 32) + conv(5, 32, 64) + conv(5, 64, 64) + (s // 8) ** 2 * 64 * n + n
    if refine:
        e = ACTION_EMBEDDING if n else 0
        count += conv(3, 3 * w + e + 2 * w, 8 * w) + (n * e + e if n else 0)
        count += conv(3, 4 * w, 2 * w) + conv(3, 3 * w, w) + conv(3, w, 4)
    return count


@pytest.mark.parametrize("num_actions,refine,moving_layer,clock",
                         [(3, True, True, False), (0, False, True, False),
                          (0, True, True, False), (3, True, False, False),
                          (3, False, True, True)])
def test_shapes_and_parameter_count(num_actions, refine, moving_layer, clock):
    generator = LayeredGenerator(z_dim=8, num_actions=num_actions, image_size=16, width=4,
                                 refine=refine, moving_layer=moving_layer,
                                 clock=clock).build_all()
    out = generator(tf.random.uniform((2, 16, 16, 3), -1, 1), num_frames=5)
    assert out["frames"].shape == (2, 5, 16, 16, 3) and out["frames"].dtype == tf.float32
    assert ("mask" in out) == moving_layer
    if moving_layer:
        assert out["mask"].shape == (2, 16, 16, 1)
    assert np.all(np.abs(out["frames"].numpy()) <= 1.0)
    if num_actions:
        assert out["q_values"].shape == (2, 5, 3) and out["actions"].shape == (2, 5)
    else:
        assert "actions" not in out
    assert generator.count_params() == expected_params(4, 8, num_actions, 16, refine,
                                                       moving_layer, clock)


def test_clock_features_tell_frames_apart_and_repeat_with_the_longest_period():
    rows = np.concatenate([clock_features(t, 1).numpy() for t in range(65)])
    assert rows.shape == (65, 2 * len(CLOCK_PERIODS))
    assert len({tuple(np.round(r, 5)) for r in rows[:64]}) == 64  # every frame its own
    np.testing.assert_allclose(rows[64], rows[0], atol=1e-6)
    assert clock_features(3, 4).shape == (4, 2 * len(CLOCK_PERIODS))


def test_pixels_outside_the_layer_are_the_input_exactly():
    generator = LayeredGenerator(z_dim=8, num_actions=3, image_size=16, width=4,
                                 refine=False).build_all()
    bias = generator.layer_decoder.out.bias
    bias.assign(tf.concat([[-1e4], bias[1:]], axis=0))  # mask 0 everywhere
    images = tf.random.uniform((2, 16, 16, 3), -1, 1)
    frames = generator(images, num_frames=4)["frames"].numpy()
    np.testing.assert_array_equal(frames, np.repeat(images.numpy()[:, None], 4, axis=1))


def tiny_config(**train):
    config = train_data.tiny_config("layered", **train)  # the paper methods' tiny run
    config.model.update(z_dim=8, width=4, moving_layer=True, refine=True, coords=True,
                        sharp=True)
    config.train.update(motion_weight=20.0, motion_weight_steps=4)
    return config


def train(config, workdir):
    return train_lib.run(config, str(workdir), make_dataset=train_data.make_fake_dataset())


def test_one_step_trains_and_restores(tmp_path):
    result = train(tiny_config(num_steps=1), tmp_path)
    assert result["step"] == 1
    assert all(np.isfinite(v) for v in result["train"].values())
    assert "td_loss" in result["train"]  # the paper's DQN step runs for our generator
    generator, config = checkpoints.load_generator(str(tmp_path))
    assert isinstance(generator, LayeredGenerator) and config.method == "layered"
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(tmp_path / "checkpoints")))
    stored = reader.get_tensor("generator/shift_y/_kernel/.ATTRIBUTES/VARIABLE_VALUE")
    np.testing.assert_array_equal(generator.shift_y.kernel.numpy(), stored)


def test_resume_equals_uninterrupted(tmp_path):
    straight = train(tiny_config(num_steps=4), tmp_path / "straight")
    train(tiny_config(num_steps=2), tmp_path / "resumed")
    resumed = train(tiny_config(num_steps=4), tmp_path / "resumed")
    for name, value in straight["train"].items():
        np.testing.assert_allclose(resumed["train"][name], value, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    a = train_data.checkpoint_values(str(tmp_path / "straight" / "checkpoints" / "ckpt-4"))
    b = train_data.checkpoint_values(str(tmp_path / "resumed" / "checkpoints" / "ckpt-4"))
    assert a.keys() == b.keys() and any("target_q_network" in k for k in a)
    for name in a:
        np.testing.assert_allclose(b[name], a[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_layered_needs_its_model_keys():
    config = config_lib.base_config()
    config.method = "layered"
    with pytest.raises(ValueError, match="config.model.width"):
        config_lib.validate_config(config)


def test_exported_model_serves_what_generate_makes(tmp_path):
    from cinegen_tf import cinemagraph
    from cinegen_tf.inference import export_lib
    from cinegen_tf.inference.pipeline import CinemagraphOptions

    config = tiny_config()
    generator = LayeredGenerator(z_dim=8, num_actions=3, image_size=16, width=4,
                                 refine=True).build_all()
    workdir = str(tmp_path / "run")
    checkpoints.write_config(config, workdir)
    checkpoint = tf.train.Checkpoint(generator=generator)
    checkpoints.make_manager(checkpoint, workdir, max_to_keep=1).save(checkpoint_number=1)
    options = CinemagraphOptions(num_frames=5, temperature=2.0)
    model_dir = export_lib.export_checkpoint(workdir, str(tmp_path / "model"), options)
    served = tf.saved_model.load(model_dir).signatures["serving_default"]
    photo = np.random.default_rng(0).integers(0, 256, (27, 41, 3), dtype=np.uint8)
    frames = served(image=tf.constant(photo))["frames"].numpy()
    restored = checkpoints.load_generator(workdir)[0]
    expected = cinemagraph.generate_cinemagraph(restored, photo, seed=0, num_frames=5,
                                                temperature=2.0)
    assert frames.shape == (4, 27, 41, 3)
    np.testing.assert_array_equal(frames, expected.frames)
    np.testing.assert_array_equal(frames[0], photo)  # the first frame is the photo


def test_layer_geometry_reads_the_object_not_the_sigmoids_floor():
    """A 6 x 10 object in a 64-px mask that is 0.02 everywhere else: centroid, spread
    (std x S / 8 in [-1, 1] units) and area are the rectangle's alone."""
    mask = np.full((1, 64, 64, 1), 0.02, np.float32)
    mask[0, 20:26, 30:40] = 1.0
    y, x, spread_y, spread_x, area = layer_geometry(tf.constant(mask)).numpy()[0]
    unit = 2.0 / 63  # one pixel in [-1, 1] frame coordinates
    np.testing.assert_allclose([y, x], [(22.5 - 31.5) * unit, (34.5 - 31.5) * unit], atol=1e-4)
    np.testing.assert_allclose([spread_y, spread_x],
                               [8 * unit * np.std(np.arange(6)), 8 * unit * np.std(np.arange(10))],
                               rtol=1e-3)
    np.testing.assert_allclose(area, 16 * 60 / 64 ** 2, rtol=1e-3)
