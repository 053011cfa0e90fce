"""Each motion pattern moves as its name says (Sec. 4.1), checked on rendered sequences.

Coordinates are (y, x) with y pointing down; "counter-clockwise" is as seen on screen.
"""
import math

import numpy as np
import pytest

from cinegen_tf.data import synthetic
from cinegen_tf.data import trajectories

NUM = 40  # sequences checked per pattern


def _sequences(pattern):
    batch = synthetic.render_batch(pattern, 7, "train", 0, NUM)
    return [(batch["centers"][i, :batch["length"][i]].astype(np.float64),
             batch["mask"][i, :batch["length"][i], :, :, 0].astype(bool)) for i in range(NUM)]


def _eight_crossings(centers):
    """x at each crossing of the bounding box's middle row, and the middle (y, x)."""
    y, x = centers[:, 0], centers[:, 1]
    mid_y, mid_x = (y.min() + y.max()) / 2, (x.min() + x.max()) / 2
    side = np.sign(y - mid_y)
    crossings, before = [], None  # before: last frame off the middle row
    for t in np.flatnonzero(side):
        if before is not None and side[before] != side[t]:
            if t > before + 1:  # frames exactly on the middle row
                crossings.append(x[before + 1:t].mean())
            else:
                a = (mid_y - y[before]) / (y[t] - y[before])
                crossings.append(x[before] + a * (x[t] - x[before]))
        before = t
    return crossings, mid_x


def _signed_area(centers):
    """Shoelace area with y pointing up: > 0 for a counter-clockwise loop on screen."""
    x, y_up = centers[:, 1], -centers[:, 0]
    return 0.5 * np.sum(x * np.roll(y_up, -1) - np.roll(x, -1) * y_up)


def _orientation(mask):
    """Angle (radians, y up, in (-pi/2, pi/2]) of a mask's long axis."""
    rows, cols = np.nonzero(mask)
    x, y_up = cols - cols.mean(), -(rows - rows.mean())
    return 0.5 * math.atan2(2 * np.mean(x * y_up), np.mean(x * x) - np.mean(y_up * y_up))


def test_i_moves_straight_down():
    for centers, _ in _sequences("i"):
        assert np.all(centers[:, 1] == centers[0, 1])
        assert np.all(np.diff(centers[:, 0]) > 0)
        assert centers[-1, 0] - centers[0, 0] >= 20


def test_l_goes_down_then_right():
    for centers, _ in _sequences("l"):
        dy, dx = np.diff(centers[:, 0]), np.diff(centers[:, 1])
        assert np.all(dy >= 0) and np.all(dx >= 0)
        last_down, first_right = np.flatnonzero(dy > 0).max(), np.flatnonzero(dx > 0).min()
        assert last_down <= first_right  # one step may turn the corner, none goes back
        assert centers[-1, 0] - centers[0, 0] >= 15 and centers[-1, 1] - centers[0, 1] >= 15


def test_o_goes_once_around_counter_clockwise_and_returns_near_its_start():
    for centers, _ in _sequences("o"):
        steps = np.linalg.norm(np.diff(centers, axis=0), axis=1)
        diameter = centers[:, 0].max() - centers[:, 0].min()
        assert diameter >= 20
        assert np.linalg.norm(centers[-1] - centers[0]) <= steps.max() + 1.0
        assert np.linalg.norm(centers - centers[0], axis=1).max() >= 0.9 * diameter
        assert _signed_area(centers) > 0.5 * math.pi * (diameter / 2) ** 2
        assert centers[1, 1] <= centers[0, 1]  # starts at the top, heading left


def test_eight_crosses_its_centre_twice():
    for centers, _ in _sequences("eight"):
        crossings, mid_x = _eight_crossings(centers)
        assert len(crossings) == 2
        assert all(abs(x - mid_x) <= 2.5 for x in crossings)
    # The same check fails on a loop that does not cross itself.
    circle, _ = _sequences("o")[0]
    crossings, mid_x = _eight_crossings(circle)
    assert not all(abs(x - mid_x) <= 2.5 for x in crossings)


def test_rotate_turns_counter_clockwise_about_a_fixed_centre():
    for centers, masks in _sequences("rotate"):
        assert np.all(centers == centers[0])
        angles = np.unwrap([_orientation(m) for m in masks], period=math.pi)
        expected = math.pi * np.arange(len(masks)) / len(masks)
        assert np.all(np.diff(angles) > 0)
        np.testing.assert_allclose(angles - angles[0], expected, atol=0.2)


def test_scale_changes_both_extents_about_a_fixed_centre():
    for centers, masks in _sequences("scale"):
        assert np.all(centers == centers[0])
        heights = masks.any(axis=2).sum(axis=1)
        widths = masks.any(axis=1).sum(axis=1)
        assert heights.max() >= heights[0] + 2 and widths.max() >= widths[0] + 2
        assert heights[-1] <= heights.max() and widths[-1] <= widths.max()
        peak = int(np.argmax(heights))
        assert 0 < peak < len(heights) - 1  # grows, then shrinks back


@pytest.mark.parametrize("pattern", synthetic.PATTERNS)
def test_object_stays_inside_and_lengths_vary_in_range(pattern):
    batch = synthetic.render_batch(pattern, 3, "test", 0, NUM)
    lengths = batch["length"]
    assert lengths.min() >= trajectories.MIN_LENGTHS[pattern]
    assert lengths.max() <= trajectories.PADDED_LENGTHS[pattern]
    assert len(set(lengths.tolist())) > 2
    for i in range(NUM):
        assert batch["mask"][i, :lengths[i]].reshape(lengths[i], -1).sum(axis=1).min() >= 36


def test_geometry_functions_hit_their_key_points():
    np.testing.assert_allclose(trajectories.i_path((10, 20), 10, 4)[[0, -1]], [[10, 20], [40, 20]])
    corner = trajectories.l_path((10, 20), 10, 5)
    np.testing.assert_allclose(corner, [[10, 20], [20, 20], [30, 20], [30, 30], [30, 40]])
    circle = trajectories.o_path((30, 30), 10, 4)
    np.testing.assert_allclose(circle, [[20, 30], [30, 20], [40, 30], [30, 40]], atol=1e-9)
    eight = trajectories.eight_path((30, 30), 5, 10, 4)
    np.testing.assert_allclose(eight, [[20, 30], [30, 30], [40, 30], [30, 30]], atol=1e-9)


def test_sample_motion_and_length_for_size_reject_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown motion pattern 'z'"):
        trajectories.sample_motion("z", rng)
    with pytest.raises(ValueError, match="object size 15 outside"):
        trajectories.length_for_size("eight", 15)


def test_length_follows_from_size_over_the_whole_range():
    for pattern in synthetic.PATTERNS:
        low, high = trajectories.ROTATE_WIDTHS if pattern == "rotate" else trajectories.OBJECT_SIZES
        lengths = [trajectories.length_for_size(pattern, s) for s in range(low, high + 1)]
        assert lengths[0] == trajectories.MIN_LENGTHS[pattern]
        assert lengths[-1] == trajectories.PADDED_LENGTHS[pattern]
        assert np.all(np.diff(lengths) >= 0)


@pytest.mark.parametrize("pattern", synthetic.PATTERNS)
def test_frame_0_determines_the_whole_path(pattern):
    """Clips whose frame-0 object has the same size move by the same displacements."""
    rng = np.random.default_rng(1)
    paths = {}
    for _ in range(400):
        motion = trajectories.sample_motion(pattern, rng)
        key = tuple(motion.sizes[0])
        moves = (motion.centers - motion.centers[0], motion.sizes, motion.angles)
        if key in paths:
            for a, b in zip(paths[key], moves):
                np.testing.assert_array_equal(a, b)
        paths[key] = moves
    assert len(paths) < 400  # sizes repeat, so the check above ran
