"""The renderer: masks match painted pixels, padding, centres, determinism, bad arguments."""
import numpy as np
import pytest

from cinegen_tf.data import synthetic
from cinegen_tf.data import textures
from cinegen_tf.data import trajectories


@pytest.mark.parametrize("pattern", synthetic.PATTERNS)
def test_shapes_dtypes_and_black_padding_after_length(pattern):
    batch = synthetic.render_batch(pattern, 0, "train", 0, 12)
    frames = trajectories.PADDED_LENGTHS[pattern]
    assert batch["video"].shape == (12, frames, 64, 64, 3) and batch["video"].dtype == np.uint8
    assert batch["mask"].shape == (12, frames, 64, 64, 1) and batch["mask"].dtype == np.uint8
    assert batch["centers"].shape == (12, frames, 2) and batch["centers"].dtype == np.float32
    assert batch["length"].dtype == np.int32 and batch["texture_id"].dtype == np.int32
    assert set(np.unique(batch["mask"])) <= {0, 1}
    assert np.all((batch["texture_id"] >= 0) & (batch["texture_id"] < textures.NUM_TEXTURES))
    assert np.any(batch["length"] < frames)  # some sequences are padded
    for i, length in enumerate(batch["length"]):
        assert np.all(batch["video"][i, length:] == 0)
        assert np.all(batch["mask"][i, length:] == 0)
        assert np.all(batch["centers"][i, length:] == -1)
        assert batch["video"][i, :length].reshape(length, -1).max(axis=1).min() > 0


@pytest.mark.parametrize("pattern", synthetic.PATTERNS)
def test_mask_is_exactly_the_single_coloured_object_on_a_static_textured_background(pattern):
    batch = synthetic.render_batch(pattern, 1, "test", 0, 6)
    for i, length in enumerate(batch["length"]):
        video = batch["video"][i, :length].astype(np.int64)  # (L, 64, 64, 3)
        inside = batch["mask"][i, :length, :, :, 0].astype(bool)
        colours = np.unique(video[inside], axis=0)
        assert len(colours) == 1  # one colour, every frame
        # Outside the mask, every frame shows the same background: a pixel's value the
        # first time it is uncovered.
        outside = ~inside
        first_seen = np.argmax(outside, axis=0)  # (64, 64)
        background = np.take_along_axis(video, first_seen[None, :, :, None], axis=0)[0]
        assert np.array_equal(video[outside], np.broadcast_to(background, video.shape)[outside])
        # ... which is the texture scaled per channel by an offset in [0.90, 1.10].
        texture = textures.load_textures()[batch["texture_id"][i]].astype(np.float64)
        visible = outside.any(axis=0) & (texture.min(axis=-1) > 20)
        ratio = np.median(background[visible] / texture[visible], axis=0)
        assert np.all((ratio > 0.895) & (ratio < 1.105))
        expected = np.clip(np.round(texture * ratio), 0, 255)
        assert np.abs(background[visible] - expected[visible]).max() <= 2


@pytest.mark.parametrize("pattern", synthetic.PATTERNS)
def test_centre_is_the_mask_centroid(pattern):
    batch = synthetic.render_batch(pattern, 2, "train", 100, 8)
    rows, cols = np.mgrid[:64, :64]
    for i, length in enumerate(batch["length"]):
        for t in range(length):
            mask = batch["mask"][i, t, :, :, 0].astype(np.float64)
            centroid = [(rows * mask).sum() / mask.sum(), (cols * mask).sum() / mask.sum()]
            np.testing.assert_allclose(batch["centers"][i, t], centroid, atol=1e-4)


def test_object_mask_matches_the_painted_rectangle_for_rotation():
    rng = synthetic.sequence_rng("rotate", 0, "train", 5)
    rng.integers(textures.NUM_TEXTURES), rng.uniform(size=3), rng.integers(0, 256, size=3)
    motion = trajectories.sample_motion("rotate", rng)
    length = motion.length
    sequence = synthetic.render_sequence("rotate", 0, "train", 5)
    assert sequence["length"] == length  # the documented draw order
    np.testing.assert_array_equal(synthetic.object_mask(motion), sequence["mask"][:length, ..., 0])


def test_same_arguments_same_bytes_and_streams_differ():
    a = synthetic.render_batch("eight", 11, "train", 40, 5)
    b = synthetic.render_batch("eight", 11, "train", 40, 5)
    for key in a:
        assert a[key].tobytes() == b[key].tobytes()
    # A sequence does not depend on the batch it is rendered in.
    single = synthetic.render_sequence("eight", 11, "train", 42)
    for key in a:
        assert np.array_equal(single[key], a[key][2])
    for other in (synthetic.render_sequence("eight", 12, "train", 42),
                  synthetic.render_sequence("eight", 11, "test", 42),
                  synthetic.render_sequence("o", 11, "train", 42)):
        assert not np.array_equal(other["video"][0], single["video"][0])


@pytest.mark.parametrize("args, message", [
    (("square", 0, "train", 0, 1), "unknown motion pattern 'square'"),
    (("eight", -1, "train", 0, 1), "seed must be a non-negative integer"),
    (("eight", 1.5, "train", 0, 1), "seed must be a non-negative integer"),
    (("eight", 0, "val", 0, 1), "unknown split 'val'"),
    (("eight", 0, "train", -3, 1), "start index must be a non-negative integer"),
    (("eight", 0, "train", 0, 0), "count must be a positive integer"),
    (("eight", 0, "train", 0, -2), "count must be a positive integer"),
])
def test_bad_arguments_raise_clear_errors(args, message):
    with pytest.raises(ValueError, match=message):
        synthetic.render_batch(*args)
