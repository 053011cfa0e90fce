"""Tests of the clip-level crop and flip (cinegen_tf.data.augment, Sec. 5.3)."""
import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.data import augment

T, H, W = 6, 72, 72


def _clip():
    """(T, H, W, 3) int32: frame t = a fixed random image + 1000 t, so frames differ
    by a known constant and a crop's position can be read from its pixels."""
    base = np.random.default_rng(0).integers(0, 1000, size=(H, W, 3))
    return tf.constant(np.stack([base + 1000 * t for t in range(T)]), tf.int32), base


def _locate(window, base):
    """(top, left, flipped) of a 64x64 `window` of `base` (flipped = mirrored left-right)."""
    for flipped, image in ((False, base), (True, base[:, ::-1])):
        for top in range(H - 63):
            for left in range(W - 63):
                if np.array_equal(image[top:top + 64, left:left + 64], window):
                    return top, left, flipped
    raise AssertionError("window not found in the clip")


def test_random_crop_uses_one_window_for_every_frame():
    video, base = _clip()
    tops_lefts = set()
    for seed in range(8):
        crop = augment.random_crop_clip(video, 64, tf.constant([seed, 7])).numpy()
        assert crop.shape == (T, 64, 64, 3)
        for t in range(1, T):
            np.testing.assert_array_equal(crop[t] - crop[0], 1000 * t)  # same window
        tops_lefts.add(_locate(crop[0], base)[:2])
    assert len(tops_lefts) > 1  # the window does move between clips


def test_flip_flips_every_frame_or_none():
    video, _ = _clip()
    outcomes = set()
    for seed in range(16):
        out = augment.random_flip_clip(video, tf.constant([seed, 3])).numpy()
        flipped = np.array_equal(out[0], video.numpy()[0, :, ::-1])
        expected = video.numpy()[:, :, ::-1] if flipped else video.numpy()
        np.testing.assert_array_equal(out, expected)
        outcomes.add(flipped)
    assert outcomes == {True, False}


def test_augment_clip_is_deterministic_per_seed_and_consistent_over_time():
    video, base = _clip()
    seed = tf.constant([1, 2], tf.int64)
    first = augment.augment_clip(video, seed, training=True).numpy()
    np.testing.assert_array_equal(first, augment.augment_clip(video, seed, training=True))
    top, left, flipped = _locate(first[0], base)
    for t in range(T):
        frame = video.numpy()[t]
        frame = frame[:, ::-1] if flipped else frame
        np.testing.assert_array_equal(first[t], frame[top:top + 64, left:left + 64])


def test_center_crop_for_evaluation():
    video, base = _clip()
    out = augment.augment_clip(video, tf.constant([0, 0]), training=False).numpy()
    np.testing.assert_array_equal(out[0], base[4:68, 4:68])
    assert _locate(out[3] - 3000, base) == (4, 4, False)


def test_works_inside_tf_function_with_unknown_shapes():
    video, _ = _clip()
    fn = tf.function(lambda v, s: augment.augment_clip(v, s, training=True),
                     input_signature=[tf.TensorSpec([None, None, None, 3], tf.int32),
                                      tf.TensorSpec([2], tf.int64)])
    assert fn(video, tf.constant([5, 5], tf.int64)).shape == (T, 64, 64, 3)


def test_too_small_or_wrong_rank_clip_is_rejected():
    with pytest.raises(ValueError, match="smaller than the 64x64 crop"):
        augment.augment_clip(tf.zeros((6, 60, 72, 3)), tf.constant([0, 0]))
    with pytest.raises(ValueError, match=r"\(T, H, W, C\)"):
        augment.augment_clip(tf.zeros((72, 72, 3)), tf.constant([0, 0]))
