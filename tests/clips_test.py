"""Tests of the paper's clip timing rules and the split hash (cinegen_tf.data.clips)."""
import numpy as np
import pytest

from cinegen_tf.data import clips


@pytest.mark.parametrize("duration,count", [
    (0.2, 1), (1.0, 1), (2.5, 1), (3.0, 1),  # <= 3 s: one clip
    (3.01, 2), (4.99, 2),                    # 3 s < D < 5 s: two
    (5.0, 3), (60.0, 3),                     # from 5 s: three
])
def test_num_clips(duration, count):
    assert clips.num_clips(duration) == count


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_num_clips_rejects_bad_durations(bad):
    with pytest.raises(ValueError, match="duration"):
        clips.num_clips(bad)


def test_clip_starts_span_the_source():
    np.testing.assert_allclose(clips.clip_starts(2.0), [0.0])
    np.testing.assert_allclose(clips.clip_starts(4.0), [0.0, 3.0])
    np.testing.assert_allclose(clips.clip_starts(10.0), [0.0, 4.5, 9.0])


@pytest.mark.parametrize("duration", np.linspace(3.05, 30.0, 40))
def test_clips_of_a_long_source_are_at_least_one_second_apart(duration):
    starts = clips.clip_starts(duration)
    assert starts[0] == 0.0
    assert starts[-1] + clips.CLIP_SECONDS == pytest.approx(duration)
    gaps = np.diff(starts) - clips.CLIP_SECONDS
    assert gaps.min() >= 1.0 - 1e-9
    # Evenly spaced: the smallest gap is as large as the count allows.
    np.testing.assert_allclose(gaps, gaps[0])


def test_sample_times_are_six_even_slots():
    np.testing.assert_allclose(clips.sample_times(2.0, 1.0), 2.0 + np.arange(6) / 6)
    np.testing.assert_allclose(clips.sample_times(0.0, 0.6), np.arange(6) / 10)


def test_plan_clips_at_25_fps_picks_every_fourth_frame():
    timestamps = np.arange(100) / 25  # 4 s at 25 fps -> 2 clips
    planned, dropped = clips.plan_clips(timestamps, 4.0)
    assert not dropped
    assert [c.index for c in planned] == [0, 1]
    assert [c.start for c in planned] == [0.0, 3.0]
    for clip in planned:
        assert clip.length == 1.0
        first = int(round(clip.start * 25))
        np.testing.assert_array_equal(clips.frame_indices(timestamps, clip.frame_times),
                                      first + np.array([0, 4, 8, 12, 16, 20]))
        assert clip.frame_times[-1] < clip.start + clip.length


def test_plan_clips_short_source_is_one_clip_of_its_length():
    planned, _ = clips.plan_clips([0.0, 0.1, 0.2, 0.3], 0.4)
    assert len(planned) == 1 and planned[0].length == pytest.approx(0.4)
    assert planned[0].frame_times.max() < 0.4


def test_plan_clips_single_frame_and_zero_duration():
    planned, dropped = clips.plan_clips([0.0], 1.0)
    assert not planned and "single frame" in dropped[0]
    planned, dropped = clips.plan_clips([0.0, 0.0], 0.0)
    assert not planned and "zero duration" in dropped[0]


def test_plan_clips_drops_clips_without_motion():
    # 10 s: clips at 0, 4.5, 9; frame 1 covers [1, 9.5) so clip 1 is frozen.
    planned, dropped = clips.plan_clips([0.0, 0.5, 1.0, 9.5], 10.0)
    assert [c.index for c in planned] == [0, 2]
    assert len(dropped) == 1 and "clip 1" in dropped[0]


def test_frame_indices_tolerates_float_sums():
    assert clips.frame_indices([0.0, 0.1, 0.3], [0.1 + 0.2])[0] == 2
    assert clips.frame_indices([0.5, 1.0], [0.0])[0] == 0  # before the first frame


def test_split_is_a_fixed_function_of_category_and_name():
    # Golden values: a change of hash would silently reshuffle every user's splits.
    assert clips.split_for_source("fire", "flame_frames") == "test"
    assert clips.split_for_source("fire", "fire_pot.avi") == "train"
    assert clips.split_for_source("water_flowing", "fountain_chatelet.mp4") == "test"
    assert clips.split_for_source("water_flowing", "seawave.avi") == "train"


def test_split_fraction_is_about_85_percent():
    names = [f"clip_{i}.gif" for i in range(4000)]
    share = np.mean([clips.split_for_source("fire", n) == "train" for n in names])
    assert 0.83 < share < 0.87


def test_split_respects_train_fraction_and_category():
    assert clips.split_for_source("fire", "flame_frames") != clips.split_for_source(
        "water_flowing", "flame_frames")  # the category is part of the hashed name
    assert clips.split_for_source("fire", "a.gif", train_fraction=1.0) == "train"
    assert clips.split_for_source("fire", "a.gif", train_fraction=0.0) == "test"
    with pytest.raises(ValueError, match="train_fraction"):
        clips.split_for_source("fire", "a.gif", train_fraction=1.5)
