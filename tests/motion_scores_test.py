"""Motion scores of a generated clip against a real one, on made-up clips with known answers."""
import math

import numpy as np
import pytest

from cinegen_tf.evaluation import motion_scores as ms

H, W, T = 32, 48, 10
FPS = 12.0


def _texture(x, y, amplitude=40.0):
    """Smooth 2-D grey texture (periods 12 and 16 px) around 128, float."""
    return 128.0 + amplitude * (0.6 * np.sin(2 * np.pi * x / 12.0)
                                + 0.4 * np.sin(2 * np.pi * y / 16.0 + 0.3 * x))


def _rgb(grey):
    g = np.clip(np.round(grey), 0, 255).astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=-1)


def _half_moving(speed=1.0, amplitude=40.0, frames=T):
    """Left half: texture moving `speed` px/frame to the right; right half constant 128."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    clip = np.full((frames, H, W), 128.0)
    for t in range(frames):
        clip[t, :, : W // 2] = _texture(x - speed * t, y, amplitude)[:, : W // 2]
    return _rgb(clip)


def _periodic_loop(length=12):
    """Whole-frame texture of period 12 px in x, rolled 1 px right per frame."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    base = 128.0 + 40.0 * np.sin(2 * np.pi * x / 12.0) + 15.0 * np.sin(2 * np.pi * y / 16.0)
    return _rgb(np.stack([np.roll(base, t, axis=1) for t in range(length)]))


def test_identical_clip_scores_perfectly():
    real = _half_moving()
    s = ms.score(real, real, FPS)
    assert s["recall"] == 1.0 and s["still_kept"] == 1.0
    assert s["motion_ratio"] == pytest.approx(1.0)
    assert s["direction"] > 0.9
    assert 0.4 <= s["real_moving_share"] <= 0.5
    assert s["ours_moving_share"] == s["real_moving_share"]
    assert set(s) == set(ms.KEYS)


def test_still_clip_scores_no_motion():
    real = _half_moving()
    ours = np.repeat(real[:1], T, axis=0)
    s = ms.score(ours, real, FPS)
    assert s["recall"] == 0.0 and s["still_kept"] == 1.0
    assert s["motion_ratio"] == 0.0
    assert s["direction"] == 0.0
    assert s["seam"] == 0.0
    assert s["ours_moving_share"] == 0.0


def test_opposite_motion_has_negative_direction():
    real = _half_moving(speed=1.0)
    ours = _half_moving(speed=-1.0)
    s = ms.score(ours, real, FPS)
    assert s["direction"] < -0.9
    assert s["recall"] > 0.9


def test_direction_skipped_on_request():
    real = _half_moving()
    assert math.isnan(ms.score(real, real, FPS, with_direction=False)["direction"])


def test_double_speed_doubles_motion_ratio():
    real = _half_moving(speed=1.0, amplitude=20.0)
    ours = _half_moving(speed=2.0, amplitude=20.0, frames=8)  # frame counts may differ
    s = ms.score(ours, real, FPS)
    assert s["motion_ratio"] == pytest.approx(2.0, rel=0.12)


def test_motion_ratio_does_not_depend_on_fps():
    real = _half_moving()
    ours = _half_moving(speed=2.0)
    assert ms.score(ours, real, 5.0, with_direction=False)["motion_ratio"] == pytest.approx(
        ms.score(ours, real, 30.0, with_direction=False)["motion_ratio"])


def test_still_real_clip_gives_nan_recall_and_ratio():
    real = np.full((T, H, W, 3), 90, np.uint8)
    ours = _half_moving()
    s = ms.score(ours, real, FPS)
    assert math.isnan(s["recall"]) and math.isnan(s["motion_ratio"])
    assert math.isnan(s["direction"])
    assert s["still_kept"] < 0.6 and s["real_moving_share"] == 0.0


def test_seam_of_a_seamless_loop_is_one():
    loop = _periodic_loop()
    s = ms.score(loop[:4], loop[:4], FPS, ours_loop=loop, with_direction=False)
    assert s["seam"] == pytest.approx(1.0, abs=0.02)


def test_seam_of_a_jumping_loop_is_large():
    loop = _periodic_loop()
    loop[-1] = np.roll(loop[0], 6, axis=1)  # half a period away from the first frame
    s = ms.score(loop, loop, FPS, with_direction=False)
    assert s["seam"] > 3.0


def test_seam_known_values_and_still_loop():
    loop = np.full((6, H, W, 3), 50, np.uint8)
    loop[-1] = 60  # steps 0, 0, 0, 0, 10 (mean 2); closing jump 10 -> seam 5
    assert ms.score(loop, loop, FPS, with_direction=False)["seam"] == pytest.approx(5.0)
    still = np.full((2, H, W, 3), 50, np.uint8)
    assert ms.score(still, still, FPS, with_direction=False)["seam"] == 0.0


def test_moving_mask_threshold():
    frames = np.zeros((T, 4, 4, 3), np.uint8)
    frames[1::2, 0, 0] = 10  # std 5 grey levels: moves
    frames[1::2, 1, 1] = 4   # std 2 grey levels: still
    mask = ms.moving_mask(frames)
    assert mask.dtype == bool and mask.shape == (4, 4)
    assert mask[0, 0] and not mask[1, 1] and mask.sum() == 1


def test_luminance_weights():
    frame = np.array([[[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 10, 10]]]], np.uint8)
    y = ms.luminance(frame)
    assert y.dtype == np.float32 and y.shape == (1, 1, 4)
    np.testing.assert_allclose(y[0, 0], [76.245, 149.685, 29.07, 10.0], rtol=1e-5)


def test_mean_flow_sign_convention():
    clip = np.ascontiguousarray(_half_moving()[:, :, : W // 2])  # all moving, right
    flow = ms.mean_flow(clip)
    assert flow.dtype == np.float32 and flow.shape == (2, H, W // 2)
    inner = flow[:, 8:-8, 8:-8]
    assert inner[1].mean() == pytest.approx(1.0, abs=0.2)   # column (u) component
    assert abs(inner[0].mean()) < 0.2                        # row (v) component
    down = np.ascontiguousarray(clip.transpose(0, 2, 1, 3))  # now moving down
    assert ms.mean_flow(down)[0, 8:-8, 8:-8].mean() == pytest.approx(1.0, abs=0.2)


def test_resize_to_width():
    frames = np.full((3, 90, 320, 3), 77, np.uint8)
    small = ms.resize_to_width(frames)
    assert small.shape == (3, 45, 160, 3) and small.dtype == np.uint8
    assert (small == 77).all()
    big = ms.resize_to_width(np.full((2, 9, 16, 3), 5, np.uint8))
    assert big.shape == (2, 90, 160, 3) and (big == 5).all()
    same = ms.resize_to_width(small)
    assert same.shape == small.shape and same is not small
    checker = np.zeros((1, 2, 4, 3), np.uint8)
    checker[0, :, ::2] = 200
    assert (ms.resize_to_width(checker, width=2) == 100).all()  # area average


def test_summarize_is_nan_median():
    rows = [{"recall": 0.2}, {"recall": float("nan")}, {"recall": 0.6}, {"recall": 0.4}]
    assert ms.summarize(rows, "recall") == pytest.approx(0.4)
    assert math.isnan(ms.summarize([{"recall": float("nan")}], "recall"))
    assert math.isnan(ms.summarize([], "recall"))


@pytest.mark.parametrize("ours, real, fps, loop, word", [
    (np.zeros((T, H, W, 3), np.float32), None, FPS, None, "ours"),
    (None, np.zeros((T, H, W), np.uint8), FPS, None, "real"),
    (np.zeros((T, H, W, 4), np.uint8), None, FPS, None, "ours"),
    (None, np.zeros((1, H, W, 3), np.uint8), FPS, None, "real"),
    (np.zeros((T, H, W + 1, 3), np.uint8), None, FPS, None, "ours and real"),
    (None, None, 0.0, None, "fps"),
    (None, None, -3.0, None, "fps"),
    (None, None, float("nan"), None, "fps"),
    (None, None, FPS, np.zeros((1, H, W, 3), np.uint8), "ours_loop"),
    (None, None, FPS, [[0]], "ours_loop"),
])
def test_bad_inputs_raise(ours, real, fps, loop, word):
    good = np.zeros((T, H, W, 3), np.uint8)
    ours = good if ours is None else ours
    real = good if real is None else real
    with pytest.raises(ValueError, match=word):
        ms.score(ours, real, fps, ours_loop=loop)
