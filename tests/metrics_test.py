"""PSNR/SSIM metrics against numpy and skimage computed independently."""
import numpy as np
import pytest
from skimage.metrics import structural_similarity

from cinegen_tf.evaluation import metrics

SKIMAGE_SSIM = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)


def _sequences(seed, batch=2, frames=4, size=16, noise=0.05):
    """Ground truth in [0.2, 0.8] (so noise never clips) and a noisy prediction, in [0, 1]."""
    rng = np.random.default_rng(seed)
    target = rng.uniform(0.2, 0.8, (batch, frames, size, size, 3))
    pred = target + rng.uniform(-noise, noise, target.shape)
    return pred, target


def _to_model_range(frames):
    return (2.0 * frames - 1.0).astype(np.float32)


def _ssim(a, b, data_range, luminance=False):
    if luminance:
        weights = np.array(metrics.LUMA_WEIGHTS)
        return structural_similarity(a @ weights, b @ weights, data_range=data_range,
                                     **SKIMAGE_SSIM)
    return structural_similarity(a, b, data_range=data_range, channel_axis=-1, **SKIMAGE_SSIM)


def _expected(pred, target, length, luminance=False):
    """Clip means of per-frame scores over frames 1 .. length - 1, then the mean over clips."""
    pred = pred.copy()
    pred[:, 0] = target[:, 0]
    rows = {name: [] for name in metrics.METRIC_NAMES}
    for b in range(len(length)):
        frame = {name: [] for name in metrics.METRIC_NAMES}
        for t in range(1, length[b]):
            frame["psnr"].append(10 * np.log10(1.0 / np.mean((pred[b, t] - target[b, t]) ** 2)))
            frame["ssim"].append(_ssim(pred[b, t], target[b, t], 1.0, luminance))
            dp, dt = pred[b, t] - pred[b, t - 1], target[b, t] - target[b, t - 1]
            frame["frame_diff_psnr"].append(10 * np.log10(4.0 / np.mean((dp - dt) ** 2)))
            frame["frame_diff_ssim"].append(_ssim(dp, dt, 2.0, luminance))
        for name in rows:
            rows[name].append(np.mean(frame[name]))
    return {name: np.mean(values) for name, values in rows.items()}


@pytest.mark.parametrize("luminance", [False, True])
def test_matches_numpy_psnr_and_skimage_ssim(luminance):
    pred, target = _sequences(0)
    length = np.array([4, 3])
    result = metrics.sequence_metrics(_to_model_range(pred), _to_model_range(target), length,
                                      ssim_on_luminance=luminance)
    expected = _expected(pred, target, length, luminance)
    for name in metrics.METRIC_NAMES:
        assert result[name] == pytest.approx(expected[name], rel=2e-4, abs=2e-4), name
    assert result["num_clips"] == 2 and result["num_frames"] == 3 + 2


def test_psnr_of_known_noise_level():
    # Every pixel off by exactly +-0.05: MSE = 0.0025, PSNR = 10 log10(1 / 0.0025) = 26.02 dB.
    _, target = _sequences(1)
    signs = np.random.default_rng(2).choice([-1.0, 1.0], target.shape)
    result = metrics.sequence_metrics(_to_model_range(target + 0.05 * signs),
                                      _to_model_range(target), np.array([4, 4]))
    assert result["psnr"] == pytest.approx(10 * np.log10(1 / 0.0025), abs=1e-3)


def test_identical_sequences_ssim_one_and_psnr_capped():
    _, target = _sequences(3)
    video = _to_model_range(target)
    result = metrics.sequence_metrics(video, video, np.array([4, 2]))
    assert result["ssim"] == pytest.approx(1.0, abs=1e-6)
    assert result["frame_diff_ssim"] == pytest.approx(1.0, abs=1e-6)
    # MSE floored at one grey level: 20 log10(255) on frames, 20 log10(2 * 255) on diffs.
    assert result["psnr"] == pytest.approx(20 * np.log10(255), abs=1e-4)
    assert result["frame_diff_psnr"] == pytest.approx(20 * np.log10(510), abs=1e-4)
    assert result["num_capped_psnr"] == result["num_capped_frame_diff_psnr"] == 3 + 1
    raw = metrics.sequence_metrics(video, video, np.array([4, 2]), psnr_mse_floor=0)
    assert raw["psnr"] == np.inf and raw["num_capped_psnr"] == 4
    # Off by half a grey level everywhere: below the floor, so capped too.
    half_level = metrics.sequence_metrics(video + 1 / 255, video, np.array([4, 2]))
    assert half_level["psnr"] == pytest.approx(20 * np.log10(255), abs=1e-4)


def test_padded_frames_are_not_scored_unless_asked():
    pred, target = _sequences(4, frames=5)
    length = np.array([3, 5])
    padded_target = target.copy()
    padded_target[0, 3:] = 0.0  # black padding
    padded_pred = pred.copy()
    padded_pred[0, 3:] = 1.0  # whatever the model made of it: must not count
    result = metrics.sequence_metrics(_to_model_range(padded_pred),
                                      _to_model_range(padded_target), length)
    expected = _expected(pred, target, length)
    for name in metrics.METRIC_NAMES:
        assert result[name] == pytest.approx(expected[name], rel=2e-4, abs=2e-4), name
    assert result["frames_per_step"].tolist() == [2, 2, 1, 1]
    with_padding = metrics.sequence_metrics(_to_model_range(padded_pred),
                                            _to_model_range(padded_target), length,
                                            include_padding=True)
    assert with_padding["num_frames"] == 8
    assert with_padding["psnr"] < result["psnr"] - 1.0


def test_per_step_curve_and_prediction_without_input_frame():
    pred, target = _sequences(5, frames=4)
    length = np.array([4, 2])
    result = metrics.sequence_metrics(_to_model_range(pred[:, 1:]), _to_model_range(target),
                                      length)
    psnr = 10 * np.log10(1.0 / np.mean((pred - target) ** 2, axis=(2, 3, 4)))
    curve = result["psnr_per_step"]
    np.testing.assert_allclose(curve[0], psnr[:, 1].mean(), rtol=1e-4)
    np.testing.assert_allclose(curve[1:], psnr[0, 2:], rtol=1e-4)
    assert result["psnr"] == pytest.approx((psnr[0, 1:].mean() + psnr[1, 1]) / 2, rel=1e-4)


def test_streaming_equals_one_batch():
    pred, target = _sequences(6, batch=3)
    length = np.array([4, 2, 3])
    whole = metrics.sequence_metrics(_to_model_range(pred), _to_model_range(target), length)
    stream = metrics.SequenceMetrics()
    stream.update(_to_model_range(pred[:1]), _to_model_range(target[:1]), length[:1])
    stream.update(_to_model_range(pred[1:]), _to_model_range(target[1:]), length[1:])
    streamed = stream.result()
    for name in metrics.METRIC_NAMES:
        assert streamed[name] == pytest.approx(whole[name], rel=1e-6)
        np.testing.assert_allclose(streamed[name + "_per_step"], whole[name + "_per_step"],
                                   rtol=1e-6)


@pytest.mark.parametrize("length, message", [([1, 4], "length must be in"),
                                             ([4, 5], "length must be in"),
                                             ([4], "length must be an integer")])
def test_bad_length_is_rejected(length, message):
    pred, target = _sequences(7)
    with pytest.raises(ValueError, match=message):
        metrics.sequence_metrics(_to_model_range(pred), _to_model_range(target), np.array(length))


def test_bad_shapes_and_ranges_are_rejected():
    pred, target = _sequences(8)
    video = _to_model_range(target)
    with pytest.raises(ValueError, match="pred shape"):
        metrics.sequence_metrics(video[:, :2], video, np.array([4, 4]))
    with pytest.raises(ValueError, match=r"pred must be in \[-1, 1\]"):
        metrics.sequence_metrics(video * 3.0, video, np.array([4, 4]))
    with pytest.raises(ValueError, match="at least 11x11"):
        metrics.sequence_metrics(video[:, :, :8, :8], video[:, :, :8, :8], np.array([4, 4]))
    with pytest.raises(ValueError, match="no batch"):
        metrics.SequenceMetrics().result()
