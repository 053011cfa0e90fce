"""Our motion model (not in the paper): targets, integration and rendering, the NumPy and
Keras networks, one training step, the weights file (cinegen_tf/motion/)."""
import numpy as np
import pytest

from cinegen_tf.evaluation import motion_scores
from cinegen_tf.motion import model, network, render, targets


def texture(h=48, w=64, seed=0):
    """A smooth random RGB texture, uint8 (h, w, 3)."""
    import cv2
    noise = np.random.default_rng(seed).uniform(0, 255, (h, w, 3)).astype(np.float32)
    return np.clip(cv2.GaussianBlur(noise, (0, 0), 2.0) * 3 - 255, 0, 255).astype(np.uint8)


def fields_of(h, w, velocity=(0.0, 0.0), moving=True):
    fields = np.zeros((h, w, 6), np.float32)
    fields[..., 0] = 20.0 if moving else -20.0
    fields[..., 1:3] = velocity
    return fields


def steady(**kwargs):
    return render.Ingredients(sway=False, flicker=False, **kwargs)


def test_integrate_a_constant_field_moves_by_the_known_amount():
    v = np.zeros((20, 30, 2), np.float32)
    v[..., 0] = 0.5
    back = render.integrate(v, 6, -1.0)
    assert back.shape == (7, 20, 30, 2)
    np.testing.assert_allclose(back[4, 5:15, 10:20, 0], -2.0, atol=1e-4)
    np.testing.assert_allclose(back[..., 1], 0.0, atol=1e-6)


def test_render_moves_a_known_image_by_the_known_amount():
    photo = texture()
    fps = 10.0  # velocity 10 px/s = 1 px/frame to the right
    motion = render.motion_from_fields(fields_of(48, 64, (10.0, 0.0)), 8, fps,
                                       ingredients=steady())
    motion.ahead = None  # the forward half alone: frame t = photo moved t px right
    frames = render.render(photo, motion)
    np.testing.assert_array_equal(frames[0], photo)
    for t in (1, 3):
        moved = frames[t, :, 10:50].astype(int)
        np.testing.assert_allclose(moved, photo[:, 10 - t:50 - t].astype(int), atol=1)


def test_a_zero_field_changes_nothing():
    photo = texture()
    frames = render.render(photo, render.motion_from_fields(fields_of(48, 64), 12, 24.0))
    assert frames.shape == (12, 48, 64, 3)
    assert (frames == photo).all()


def test_still_pixels_are_the_photos_in_every_frame():
    photo = texture()
    fields = fields_of(48, 64, (30.0, 5.0))
    fields[:, 32:, 0] = -20.0  # the right half is still
    fields[..., 3:5], fields[..., 5] = 20.0, 100.0
    frames = render.render(photo, render.motion_from_fields(fields, 12, 24.0))
    assert (frames[:, :, 40:] == photo[:, 40:]).all()
    assert (frames[1:, :, :24] != photo[:, :24]).any()


def test_the_loops_last_frame_flows_into_its_first():
    photo = texture(64, 96)
    fps, n = 24.0, 24
    for ingredients in (steady(), render.Ingredients()):
        fields = fields_of(64, 96, (24.0, 12.0))
        fields[..., 3:5], fields[..., 5] = 10.0, 40.0
        frames = render.render(photo, render.motion_from_fields(fields, n, fps, seed=1,
                                                                ingredients=ingredients))
        y = motion_scores.luminance(frames)
        step = np.abs(np.diff(y, axis=0)).mean()
        closing = np.abs(y[0] - y[-1]).mean()
        assert step > 0.5
        assert closing < 1.5 * step, (ingredients, closing, step)


def test_oscillation_is_zero_at_frame_0_and_periodic():
    rng = np.random.default_rng(0)
    out = render.oscillation(np.full((8, 10, 2), 30.0, np.float32), 24, 24.0, (1.0, 2.0), rng)
    assert out.shape == (24, 8, 10, 2)
    np.testing.assert_allclose(out[0], 0.0, atol=1e-5)
    # the next frame after the last is frame 0 again: one ordinary step away
    assert np.abs(out[-1]).max() < 3 * np.abs(out[1] - out[0]).max() + 1e-6


def test_window_targets_measure_a_known_motion():
    base = texture(48, 96)
    frames = np.stack([np.roll(base, t, axis=1) for t in range(13)])  # 1 px/frame right
    t = targets.window_targets(frames, fps=12.0)
    inner = (slice(10, 38), slice(20, 76))
    assert t.moving[inner].mean() > 0.9
    np.testing.assert_allclose(np.median(t.velocity[inner][..., 0]), 12.0, rtol=0.15)
    assert abs(np.median(t.velocity[inner][..., 1])) < 1.5
    assert np.median(t.sway[inner]) < 3.0


def test_numpy_forward_equals_the_keras_model():
    keras_net = network.keras_model()
    rng = np.random.default_rng(0)
    for variable in keras_net.weights:
        variable.assign(rng.normal(0, 0.1, variable.shape).astype(np.float32))
    photo = texture(36, 52)
    x, (h, w) = network.pad_input(photo)
    expected = network.activate(np.asarray(keras_net(x))[0, :h, :w])
    got = network.numpy_forward(keras_net.numpy_weights(), photo)
    assert got.shape == (36, 52, 6)
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-3 * np.abs(expected).max())


def test_one_training_step_gives_finite_losses():
    from cinegen_tf.motion import training
    base = texture(72, 96)
    frames = np.stack([np.roll(base, t, axis=1) for t in range(6)])
    windows = [targets.window_targets(frames, fps=12.0)]
    net, history = training.train(windows, steps=2, batch_size=2, learning_rate=1e-3, seed=0,
                                   log_every=1, log=lambda line: None)
    assert len(history) == 2 and all(np.isfinite(v) for v in history[-1].values())
    assert set(net.numpy_weights()) == set(network.reference_shapes())


def test_bundled_weights_load_and_frame_0_is_the_photo():
    animator = model.load_bundled()
    assert animator.meta["format"] == model.FORMAT and animator.meta["steps"] > 0
    photo = texture(90, 120)
    frames = animator.animate(photo, num_frames=6, fps=12.0)
    assert frames.shape == (6, 90, 120, 3) and frames.dtype == np.uint8
    np.testing.assert_array_equal(frames[0], photo)


def test_damaged_weights_are_one_clear_error(tmp_path):
    good = open(model.BUNDLED_WEIGHTS, "rb").read()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good[: len(good) // 2])
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip at all")
    for path, reason in ((tmp_path / "missing.npz", "not found"), (truncated, "damaged"),
                         (garbage, "damaged")):
        with pytest.raises(model.WeightsError, match=reason) as info:
            model.load_weights(path)
        assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_weights_of_the_wrong_shape_are_refused(tmp_path):
    weights, meta = model.load_weights(model.BUNDLED_WEIGHTS)
    kernel, bias = weights["head"]
    weights["head"] = (kernel[..., :3], bias[:3])
    path = tmp_path / "other.npz"
    model.save_weights(path, weights, meta)
    with pytest.raises(model.WeightsError, match="layer head"):
        model.load_weights(path)


def test_photo_sizes():
    with pytest.raises(ValueError, match="too small"):
        model.check_photo(np.zeros((20, 400, 3), np.uint8))
    big = model.check_photo(np.zeros((3000, 4000, 3), np.uint8))
    assert big.shape == (1440, 1920, 3)
    same = np.zeros((100, 200, 3), np.uint8)
    assert model.check_photo(same) is same
