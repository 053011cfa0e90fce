"""The cinemagraph pipeline: loops, resampling, motion mask, full-resolution rule, masks,
greedy determinism and sampling diversity (cinegen_tf/cinemagraph.py, inference/)."""
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from cinegen_tf import cinemagraph
from cinegen_tf.inference import compositing, image_io, looping, resampling
from cinegen_tf.inference.pipeline import CinemagraphOptions
from cinegen_tf.inference.writers import read_cinemagraph
from cinegen_tf.models.constant import ConstantBaseline
from cinegen_tf.models.generator import RecurrentGenerator

SIZE = 16  # tiny model square: the conv stacks are the paper's, the frames small


@pytest.fixture(scope="module")
def dqn_generator():
    tf.keras.utils.set_random_seed(0)
    return RecurrentGenerator(z_dim=4, num_actions=3, image_size=SIZE).build_all()


@pytest.fixture(scope="module")
def quiet_generator():
    """An RNN+DQN whose frames stay near 0 (mid-grey)."""
    tf.keras.utils.set_random_seed(1)
    gen = RecurrentGenerator(z_dim=4, num_actions=3, image_size=SIZE).build_all()
    gen.decoder.to_rgb.kernel.assign(gen.decoder.to_rgb.kernel * 0.01)
    gen.decoder.to_rgb.bias.assign(tf.zeros_like(gen.decoder.to_rgb.bias))
    return gen


def half_bright_photo(height=45, width=70):
    """Left part white (far from the model's grey: moves), right part mid-grey textured."""
    rng = np.random.default_rng(0)
    photo = rng.integers(120, 136, (height, width, 3), dtype=np.uint8)
    photo[:, : width // 3] = rng.integers(230, 256, (height, width // 3, 3), dtype=np.uint8)
    return photo


# --- loops --------------------------------------------------------------------------


def test_pingpong_and_none_schedules():
    first, second, weight = looping.loop_schedule(5, "pingpong")
    assert first.tolist() == [0, 1, 2, 3, 4, 3, 2, 1] and not weight.any()
    assert looping.loop_schedule(5, "none")[0].tolist() == [0, 1, 2, 3, 4]


def test_crossfade_schedule_blends_tail_into_head():
    first, second, weight = looping.loop_schedule(10, "crossfade", 3)
    assert len(first) == 7
    assert first[:3].tolist() == [7, 8, 9] and second[:3].tolist() == [0, 1, 2]
    np.testing.assert_allclose(weight[:3], [0.25, 0.5, 0.75])
    assert first[3:].tolist() == [3, 4, 5, 6] and not weight[3:].any()
    assert looping.loop_length(21) == 21 - 5  # default K = N // 4


@pytest.mark.parametrize("mode", ["crossfade", "pingpong"])
def test_loops_are_seamless_on_steady_motion(mode):
    # A frame that drifts steadily: f_t = t. Unlooped, the seam jumps by N - 1.
    frames = np.arange(12, dtype=np.float32)[:, None]
    looped = looping.apply_loop(frames, looping.loop_schedule(12, mode)).numpy()[:, 0]
    steps = np.abs(np.diff(np.concatenate([looped, looped[:1]])))
    # The seam (last step) is no bigger than the loop's other steps, all about one frame
    # (a crossfade of K = 3 over 12 frames moves 1 - 9 / 4 = -1.25 per blended frame).
    assert steps[-1] <= steps[:-1].max() + 1e-5 and steps.max() <= 1.25 + 1e-5, looped
    unlooped = looping.apply_loop(frames, looping.loop_schedule(12, "none")).numpy()[:, 0]
    assert abs(unlooped[-1] - unlooped[0]) == 11


@pytest.mark.parametrize("args", [(1, "none", None), (6, "crossfade", 4), (6, "crossfade", 0),
                                  (6, "boomerang", None)])
def test_bad_loop_arguments_are_rejected(args):
    with pytest.raises(ValueError):
        looping.loop_schedule(*args)


# --- resampling and motion mask -----------------------------------------------------


def test_resize_matches_tf_bilinear_upsampling_and_area_downsampling():
    image = tf.random.uniform((6, 9, 3), 0, 255, seed=2)
    np.testing.assert_allclose(resampling.resize(image, 20, 31).numpy(),
                               tf.image.resize(image, (20, 31), "bilinear").numpy(), atol=1e-3)
    big = tf.random.uniform((32, 48, 3), 0, 255, seed=3)
    np.testing.assert_allclose(resampling.resize(big, 8, 12).numpy(),
                               tf.image.resize(big, (8, 12), "area").numpy(), atol=1e-3)
    # Non-integer shrink factors still average: every row sums to 1.
    np.testing.assert_allclose(tf.reduce_sum(resampling.area_matrix(7, 45), 1).numpy(), 1,
                               atol=1e-5)


def test_motion_alpha_marks_only_changed_pixels():
    deltas = np.zeros((3, 16, 16, 3), np.float32)
    deltas[1, 8, 8] = 0.5
    alpha = compositing.motion_alpha(deltas, threshold=0.1, dilation=1).numpy()
    assert alpha[8, 8] == 1.0 and alpha[7:10, 7:10].min() > 0
    assert alpha[0, 0] == 0 and (alpha > 0).sum() == 25  # dilated 3x3, feathered to 5x5
    assert not compositing.motion_alpha(deltas * 0.1, threshold=0.1).numpy().any()


# --- the full pipeline --------------------------------------------------------------


class FakeGenerator(tf.Module):
    """A baseline-like generator (`rollout`) that cannot reconstruct the photo: every
    frame is the input blurred and darkened (~60 grey levels off), plus, with
    `amplitude`, a wave that varies over time in the left third of the square only."""

    def __init__(self, amplitude=0.0, size=SIZE, moving=1 / 3):
        super().__init__()
        self.image_size = size
        self.amplitude = amplitude
        self.moving = moving  # the moving part of the square's width

    def rollout(self, images, num_frames):
        blurred = tf.nn.avg_pool2d(images, 5, 1, "SAME") * 0.5 - 0.2  # (B, S, S, 3)
        columns = tf.cast(tf.range(self.image_size) < round(self.image_size * self.moving),
                          tf.float32)
        phase = tf.sin(tf.range(1, num_frames + 1, dtype=tf.float32))
        wave = self.amplitude * phase[:, None, None, None] * columns[None, None, :, None]
        return tf.clip_by_value(blurred[:, None] + wave[None], -1.0, 1.0)


@pytest.mark.parametrize("loop", looping.LOOP_MODES)
def test_frames_that_do_not_vary_over_time_move_nothing(loop):
    photo = half_bright_photo()
    result = cinemagraph.generate_cinemagraph(FakeGenerator(0.0), photo, num_frames=6,
                                              loop=loop)
    assert not result.motion_mask.any()
    for frame in result.frames:  # the blurred reconstruction never reaches the photo
        np.testing.assert_array_equal(frame, photo)
    # ... though the model's own frames are far from the photo.
    view = np.round(resampling.resize(photo.astype(np.float32), SIZE, SIZE).numpy())
    assert np.abs(result.model_frames[1].astype(int) - view).mean() > 30


@pytest.mark.parametrize("loop", looping.LOOP_MODES)
def test_only_what_varies_over_time_moves_and_frame_0_is_the_photo(loop):
    photo = half_bright_photo()
    result = cinemagraph.generate_cinemagraph(FakeGenerator(0.5), photo, num_frames=6,
                                              loop=loop)
    np.testing.assert_array_equal(result.frames[0], photo)
    static = result.motion_mask == 0
    # The wave covers the left third of the square (dilated by a model pixel and
    # feathered by another): the rest of the photo stays still.
    assert 0.45 < static.mean() < 0.7 and static[:, -30:].all() and not static[:, :15].any()
    for frame in result.frames:
        np.testing.assert_array_equal(frame[static], photo[static])
    moving = result.frames[:, :, :15].astype(int)
    assert np.abs(np.diff(moving, axis=0)).mean() > 5  # it moves from frame to frame


@pytest.mark.parametrize("extension", ["gif", "mp4", "webp"])
def test_written_files_keep_the_still_part_still(extension, tmp_path):
    # A model that cannot reconstruct the photo and moves a sixteenth of its square: the
    # photo (odd-sized, textured) must stay still in >= 90% of its pixels once encoded.
    rng = np.random.default_rng(3)
    photo = np.clip(rng.normal(128, 40, (61, 83, 3)), 0, 255).astype(np.uint8)
    result = cinemagraph.generate_cinemagraph(FakeGenerator(0.5, size=64, moving=1 / 16),
                                              photo, num_frames=8)
    still = (result.frames == photo).all(axis=(0, 3))
    assert still.mean() >= 0.9 and (result.frames[0] == photo).all()
    path = cinemagraph.write_cinemagraph(result.frames, tmp_path / f"out.{extension}")
    frames = read_cinemagraph(path)
    # MP4 (yuv420p) pads odd sizes with a copy of the last row / column.
    assert frames.shape[1:3] == ((62, 84) if extension == "mp4" else (61, 83))
    frames = frames[:, :61, :83]
    assert (frames == frames[:1]).all(axis=(0, 3)).mean() >= 0.9
    # Frame 0 is the photo within the encoder's error: that of the photo alone.
    alone = read_cinemagraph(cinemagraph.write_cinemagraph(np.stack([photo] * 2),
                                                   tmp_path / f"alone.{extension}"))
    error = np.abs(frames[0].astype(int) - photo).mean()
    assert error <= np.abs(alone[0, :61, :83].astype(int) - photo).mean() + 0.5, error


def test_user_mask_freezes_what_it_covers(tmp_path):
    photo = half_bright_photo()
    generator = FakeGenerator(0.5)
    mask = np.full((45, 70), 255, np.uint8)
    mask[:20] = 0
    result = cinemagraph.generate_cinemagraph(generator, photo, num_frames=5, mask=mask)
    assert not result.motion_mask[:20].any() and result.motion_mask[30:, :10].all()
    for frame in result.frames:
        np.testing.assert_array_equal(frame[:20], photo[:20])
    assert (result.frames[:, 30:, :10] != photo[30:, :10]).any()
    # A mask file of another size and mode is stretched to the photo: bottom half frozen.
    small = np.zeros((6, 4), np.uint8)
    small[:3] = 255
    Image.fromarray(small).convert("RGB").save(tmp_path / "mask.png")
    result = cinemagraph.generate_cinemagraph(generator, photo, num_frames=5,
                                              mask=str(tmp_path / "mask.png"))
    assert not result.motion_mask[30:].any() and result.motion_mask[:10, :10].all()
    for frame in result.frames:
        np.testing.assert_array_equal(frame[30:], photo[30:])


def test_greedy_is_deterministic_and_sampling_is_diverse(dqn_generator):
    photo = half_bright_photo(32, 40)
    a = cinemagraph.generate_cinemagraph(dqn_generator, photo, num_frames=6)
    b = cinemagraph.generate_cinemagraph(dqn_generator, photo, num_frames=6)
    np.testing.assert_array_equal(a.frames, b.frames)
    np.testing.assert_array_equal(a.actions, b.actions)
    assert a.seed is None
    kwargs = dict(num_frames=6, temperature=5.0)
    s1 = cinemagraph.generate_cinemagraph(dqn_generator, photo, seed=1, **kwargs)
    s2 = cinemagraph.generate_cinemagraph(dqn_generator, photo, seed=2, **kwargs)
    again = cinemagraph.generate_cinemagraph(dqn_generator, photo, seed=1, **kwargs)
    assert (s1.actions != s2.actions).any()
    # An untrained model's frames barely vary over time (its full-resolution frames are
    # the photo): the sampled actions show in its own frames.
    assert not np.array_equal(s1.model_frames, s2.model_frames)
    np.testing.assert_array_equal(s1.frames, again.frames)
    np.testing.assert_array_equal(s1.model_frames, again.model_frames)
    random_seed = cinemagraph.generate_cinemagraph(dqn_generator, photo, **kwargs).seed
    assert isinstance(random_seed, int)


def test_model_resolution_output_and_long_rollouts(dqn_generator):
    photo = half_bright_photo(48, 80)
    frames = cinemagraph.make_cinemagraph(dqn_generator, photo, num_frames=30, loop="none",
                                          full_resolution=False)
    assert frames.shape == (30, SIZE, SIZE, 3)  # past any training length
    # Frame 0 is the model's view of the photo: the area-averaged, stretched photo.
    view = resampling.resize(photo.astype(np.float32), SIZE, SIZE).numpy()
    np.testing.assert_array_equal(frames[0], np.round(view).astype(np.uint8))


def test_baseline_generators_and_bad_options(quiet_generator):
    photo = half_bright_photo(20, 20)
    frames = cinemagraph.make_cinemagraph(ConstantBaseline(), photo, num_frames=4,
                                          image_size=SIZE)
    assert (frames == photo).all()  # the constant baseline predicts no motion
    rnn = RecurrentGenerator(z_dim=4, num_actions=0, image_size=SIZE).build_all()
    with pytest.raises(ValueError, match="no DQN"):
        cinemagraph.make_cinemagraph(rnn, photo, num_frames=3, temperature=1.0)
    with pytest.raises(ValueError, match="num_frames"):
        cinemagraph.make_cinemagraph(quiet_generator, photo, num_frames=1)
    with pytest.raises(ValueError, match="seed"):
        cinemagraph.make_cinemagraph(quiet_generator, photo, num_frames=3, temperature=1.0,
                                     seed=-1)
    with pytest.raises(image_io.InputError, match="float"):
        cinemagraph.make_cinemagraph(quiet_generator, photo / 255.0, num_frames=3)


def test_in_memory_photo_kinds_are_converted():
    grey16 = np.full((5, 6), 65535, np.uint16)
    np.testing.assert_array_equal(image_io.photo_array(grey16), np.full((5, 6, 3), 255))
    rgba = np.zeros((5, 6, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 255
    rgba[0, 0, 3] = 0  # transparent -> black
    rgb = image_io.photo_array(rgba)
    assert rgb.shape == (5, 6, 3) and rgb[1, 1, 0] == 200 and not rgb[0, 0].any()
    with pytest.raises(image_io.InputError, match="zero size"):
        image_io.photo_array(np.zeros((0, 4, 3), np.uint8))
    np.testing.assert_array_equal(image_io.mask_array(np.eye(3, dtype=bool)), np.eye(3) * 255)
    with pytest.raises(image_io.InputError, match=r"\[0, 1\]"):
        image_io.mask_array(np.full((3, 3), 2.0))


def test_options_validation():
    assert CinemagraphOptions(num_frames=9, loop="pingpong").output_frames == 16
    for bad in (dict(temperature=-1.0), dict(motion_threshold=3.0), dict(loop="x")):
        with pytest.raises(ValueError):
            CinemagraphOptions(**bad)
