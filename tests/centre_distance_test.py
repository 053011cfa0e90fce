"""Centre distance (Table 4): shifted rectangles, brute-force SSD, no-match counting."""
import numpy as np
import pytest

from cinegen_tf.evaluation import centre_distance as cd

SIZE = 32


def _scene(rng, top, left, height=6, width=8, colour=(0.9, 0.1, 0.2)):
    """Textured background with a solid rectangle; frame in [0, 1], mask, centre (y, x)."""
    frame = rng.uniform(0.3, 0.7, (SIZE, SIZE, 3))
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[top:top + height, left:left + width] = 1
    frame[mask == 1] = colour
    return frame, mask, (top + (height - 1) / 2, left + (width - 1) / 2)


def _batch(frames, masks, centres, length):
    """Stacks per-frame lists (B lists of T items) into the data contract in [-1, 1]."""
    video = 2 * np.array(frames, np.float32) - 1
    return video, np.array(masks)[..., None], np.array(centres, np.float32), np.array(length)


def test_shifted_rectangle_distance_is_the_shift():
    rng = np.random.default_rng(0)
    background = rng.uniform(0.3, 0.7, (SIZE, SIZE, 3))
    frames, masks, centres, generated = [], [], [], []
    for t, (top, left) in enumerate([(10, 10), (12, 9), (5, 20)]):
        frame, mask, centre = _scene(rng, top, left)
        frame[mask == 0] = background[mask == 0]
        frames.append(frame)
        masks.append(mask)
        centres.append(centre)
        # The generated frame: same background, the object shifted by (3, -4) (5 px) at
        # t = 1 and by (-2, 0) at t = 2.
        dy, dx = [(0, 0), (3, -4), (-2, 0)][t]
        moved = background.copy()
        moved[top + dy:top + dy + 6, left + dx:left + dx + 8] = (0.9, 0.1, 0.2)
        generated.append(moved)
    video, mask, centers, length = _batch([frames], [masks], [centres], [3])
    pred = 2 * np.array([generated], np.float32) - 1
    frames_out = cd.centre_distances(pred, video, mask, centers, length)
    np.testing.assert_allclose(frames_out["distance"], [[5.0, 2.0]])
    np.testing.assert_allclose(frames_out["matched_centers"][0, 0], np.array(centres[1]) + (3, -4))
    assert frames_out["best_mse"].max() < 1e-6
    metric = cd.CentreDistance()
    metric.update(pred, video, mask, centers, length)
    result = metric.result()
    assert result["mean_distance"] == pytest.approx(3.5)
    assert result["num_no_match"] == 0 and result["num_frames"] == 2


def test_matches_brute_force_masked_ssd():
    rng = np.random.default_rng(1)
    target = rng.uniform(0, 1, (3, 12, 12, 3))
    generated = rng.uniform(0, 1, (3, 12, 12, 3))
    mask = np.zeros((3, 12, 12))
    mask[0, 2:5, 3:7] = 1
    mask[1, 0:3, 9:12] = 1
    mask[2, 6:12, 0:2] = 1
    mask[2, 7, 5] = 1  # not a rectangle
    shift, mse = cd.best_shifts(generated, target, mask)
    for i in range(3):
        ys, xs = np.nonzero(mask[i])
        best = None
        for dy in range(-12, 12):
            for dx in range(-12, 12):
                if ys.min() + dy < 0 or ys.max() + dy >= 12 or xs.min() + dx < 0 \
                        or xs.max() + dx >= 12:
                    continue
                err = np.mean((generated[i, ys + dy, xs + dx] - target[i, ys, xs]) ** 2)
                if best is None or err < best[0]:
                    best = (err, dy, dx)
        assert tuple(shift[i]) == best[1:]
        assert mse[i] == pytest.approx(best[0], rel=1e-5)


def test_missing_object_is_no_match_and_empty_masks_and_padding_are_skipped():
    rng = np.random.default_rng(2)
    frames, masks, centres = zip(*[_scene(rng, 8, 8) for _ in range(4)])
    frames, masks, centres = list(frames), list(masks), list(centres)
    masks[2] = np.zeros_like(masks[2])  # object not visible: not scored
    video, mask, centers, length = _batch([frames, frames], [masks, masks],
                                          [centres, centres], [4, 2])
    pred = video.copy()
    pred[0, 3] = 2 * rng.uniform(0.3, 0.7, (SIZE, SIZE, 3)) - 1  # generated without object
    pred[1, 2:] = -1.0  # padding of clip 1: ignored
    frames_out = cd.centre_distances(pred, video, mask, centers, length)
    assert frames_out["scored"].tolist() == [[True, False, True], [True, False, False]]
    assert frames_out["matched"].tolist() == [[True, False, False], [True, False, False]]
    metric = cd.CentreDistance()
    metric.update(pred, video, mask, centers, length)
    result = metric.result()
    assert (result["num_frames"], result["num_matched"], result["num_no_match"]) == (3, 2, 1)
    assert result["mean_distance"] == 0.0
    assert result["num_no_match_per_step"].tolist() == [0, 0, 1]
    loose = cd.centre_distances(pred, video, mask, centers, length, max_match_mse=1.0)
    assert loose["matched"][0, 2]


def test_bad_inputs_are_rejected():
    rng = np.random.default_rng(3)
    frames, masks, centres = zip(*[_scene(rng, 4, 4) for _ in range(2)])
    video, mask, centers, length = _batch([frames], [masks], [centres], [2])
    with pytest.raises(ValueError, match="mask must be"):
        cd.centre_distances(video, video, mask[:, :1], centers, length)
    with pytest.raises(ValueError, match="0 or 1"):
        cd.centre_distances(video, video, mask * 255, centers, length)
    with pytest.raises(ValueError, match="length must be"):
        cd.centre_distances(video, video, mask, centers, np.array([3]))
    with pytest.raises(ValueError, match="max_match_mse"):
        cd.CentreDistance(max_match_mse=0)
    with pytest.raises(ValueError, match="no scored frame"):
        cd.CentreDistance().result()
