"""The constant baseline (Sec. 5.4): shapes, zero frame differences, Table 3 closed form."""
import numpy as np
import pytest
from scipy import ndimage

from cinegen_tf.evaluation import metrics
from cinegen_tf.models.constant import ConstantBaseline


def _frames(seed, shape):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


def test_rollout_repeats_the_input():
    images = _frames(0, (2, 16, 16, 3))
    model = ConstantBaseline()
    frames = model.rollout(images, 5).numpy()
    assert frames.shape == (2, 5, 16, 16, 3)
    np.testing.assert_array_equal(frames, np.repeat(images[:, None], 5, axis=1))
    assert model.count_params() == 0
    assert ConstantBaseline.from_config(model.get_config()).rollout(images, 1).shape[1] == 1
    with pytest.raises(ValueError, match="num_frames"):
        model.rollout(images, 0)
    with pytest.raises(ValueError, match=r"\(B, H, W, C\)"):
        model.rollout(images[0], 2)


def _ssim_against_zero(d, max_val=2.0):
    """SSIM(0, d) by its formula: with x = 0, mu_x = sigma_x = sigma_xy = 0, so
    SSIM = C1 / (mu_y^2 + C1) * C2 / (sigma_y^2 + C2), on 11x11 Gaussian (1.5) windows."""
    c1, c2 = (0.01 * max_val) ** 2, (0.03 * max_val) ** 2
    per_channel = []
    for c in range(d.shape[-1]):
        mu = ndimage.gaussian_filter(d[..., c], 1.5, truncate=3.5)
        var = ndimage.gaussian_filter(d[..., c] ** 2, 1.5, truncate=3.5) - mu ** 2
        ssim_map = c1 / (mu ** 2 + c1) * c2 / (var + c2)
        per_channel.append(ssim_map[5:-5, 5:-5].mean())  # valid 11x11 window positions
    return np.mean(per_channel)


def test_frame_differences_are_zero_and_metrics_have_closed_form():
    video = _frames(1, (2, 4, 16, 16, 3))
    length = np.array([4, 3])
    generated = ConstantBaseline().rollout(video[:, 0], 3).numpy()
    sequence = np.concatenate([video[:, :1], generated], axis=1)
    unit = (sequence + 1) / 2
    np.testing.assert_array_equal(unit[:, 1:] - unit[:, :-1], 0.0)

    result = metrics.sequence_metrics(generated, video, length)
    target = (video.astype(np.float64) + 1) / 2
    psnr_clips, ssim_clips = [], []
    for b in range(2):
        # Prediction diff = 0, so MSE = mean(d^2); PSNR with peak 2 = 10 log10(4 / mean(d^2)).
        diffs = [target[b, t] - target[b, t - 1] for t in range(1, length[b])]
        psnr_clips.append(np.mean([10 * np.log10(4 / np.mean(d ** 2)) for d in diffs]))
        ssim_clips.append(np.mean([_ssim_against_zero(d) for d in diffs]))
    assert result["frame_diff_psnr"] == pytest.approx(np.mean(psnr_clips), rel=1e-5)
    assert result["frame_diff_ssim"] == pytest.approx(np.mean(ssim_clips), rel=1e-4, abs=1e-5)
