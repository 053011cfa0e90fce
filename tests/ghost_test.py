"""The ghost measure (evaluation/ghost.py) on made-up clips whose answer is known."""
import numpy as np

from cinegen_tf.evaluation import ghost


def _clip():
    """One 3-frame clip: a white 2x2 object on black moves right by 2 px each frame."""
    video = -np.ones((1, 3, 8, 8, 3), np.float32)
    mask = np.zeros((1, 3, 8, 8, 1), np.uint8)
    for t in range(3):
        video[0, t, 2:4, 2 * t:2 * t + 2] = 1.0
        mask[0, t, 2:4, 2 * t:2 * t + 2] = 1
    return video, mask


def test_perfect_fill_is_zero_and_copying_frame_0_is_the_constant():
    video, mask = _clip()
    perfect, copy = ghost.Ghost(), ghost.Ghost()
    perfect.update(video[:, 1:], video, mask, np.array([3]))
    copy.update(np.repeat(video[:, :1], 2, axis=1), video, mask, np.array([3]))
    assert perfect.result()["ghost"] == 0.0
    result = copy.result()
    assert result["ghost"] == result["ghost_constant"] == 1.0  # white against black
    assert result["ghost_ratio"] == 1.0 and result["num_pixels"] == 8  # 4 px in each frame


def test_a_half_grey_blotch_scores_half_and_padding_is_skipped():
    video, mask = _clip()
    pred = video[:, 1:].copy()
    pred[0, :, 2:4, 0:2] = 0.0  # grey where the object started
    g = ghost.Ghost()
    g.update(pred, video, mask, np.array([2]))  # frame 2 is padding
    result = g.result()
    assert result["num_pixels"] == 4 and np.isclose(result["ghost"], 0.5)
    assert np.isnan(ghost.Ghost().result()["ghost"])
