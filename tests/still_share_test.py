"""experiments.still_share: what it counts as still, and the frame-0 error of each format."""
import numpy as np

from experiments import still_share


def test_still_share_counts_pixels_equal_in_every_frame():
    photo = np.zeros((4, 5, 3), np.uint8)
    frames = np.stack([photo] * 3)
    frames[1, 0, 0, 2] = 9  # one channel of one pixel in one frame
    frames[2, 3, :2] = 1  # two pixels in another
    assert still_share.still_share(frames, photo) == 1 - 3 / 20


def test_score_decodes_each_format_at_the_photo_size(tmp_path):
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 255, (33, 47, 3), dtype=np.uint8)  # odd: MP4 pads, we crop
    frames = np.stack([photo] * 4)
    frames[1:, :8, :8] = 255 - frames[1:, :8, :8]  # a corner that changes
    scores = still_share.score(frames, photo, str(tmp_path))
    assert set(scores) == {"gif", "mp4", "webp"}
    for extension, (unchanging, error, alone) in scores.items():
        assert 0.5 < unchanging < 1.0, extension  # the corner moves, most does not
        assert error <= alone + 0.5, extension  # frame 0 is the photo, as encoded alone
