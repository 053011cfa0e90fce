"""Tests of the display matrix (phone videos' rotation metadata) in cinegen_tf.data.video_io:
frames come out turned and flipped as a player shows them, after a seek too."""
import av
import numpy as np
import pytest
from PIL import Image

from cinegen_datasets.real_cinemagraphs import fake_manual_dir as fake
from cinegen_tf.data import image_io
from cinegen_tf.data import video_decoder
from cinegen_tf.data import video_io

SIZE = 24


# Display matrices as FFmpeg stores them (16.16 fixed point; the last entry 2.30).
_U, _W = 1 << 16, 1 << 30
DISPLAY_MATRICES = {
    # A phone held upright: av_display_rotation_set(-90), with the shift iPhones write.
    "clockwise_90": [0, _U, 0, -_U, 0, 0, 40 * _U, 0, _W],
    "counterclockwise_90": [0, -_U, 0, _U, 0, 0, 0, 48 * _U, _W],
    "rotate_180": [-_U, 0, 0, 0, -_U, 0, 48 * _U, 40 * _U, _W],
    "mirror_left_right": [-_U, 0, 0, 0, _U, 0, 48 * _U, 0, _W],
    "mirror_top_bottom": [_U, 0, 0, 0, -_U, 0, 0, 40 * _U, _W],
    "transpose": [0, _U, 0, _U, 0, 0, 0, 0, _W],
    "transverse": [0, -_U, 0, -_U, 0, 0, 40 * _U, 48 * _U, _W],
}


def _quadrant_frames(num, height=40, width=48):
    """Frames with a distinct colour in each quadrant: top-left red, top-right green,
    bottom-left blue, bottom-right white; any flip or turn moves them."""
    frames = np.zeros((num, height, width, 3), np.uint8)
    h, w = height // 2, width // 2
    frames[:, :h, :w, 0] = 255
    frames[:, :h, w:, 1] = 255
    frames[:, h:, :w, 2] = 255
    frames[:, h:, w:] = 255
    return frames


def _as_displayed(image, matrix):
    """Where each pixel of `image` `(H, W, 3)` lands under `matrix`, by FFmpeg's
    definition (p' = a p + c q, q' = b p + d q), computed pixel by pixel."""
    a, b, c, d = (np.sign(matrix[i]) for i in (0, 1, 3, 4))
    height, width = image.shape[:2]
    q, p = np.mgrid[:height, :width]
    p2, q2 = a * p + c * q, b * p + d * q
    p2, q2 = p2 - p2.min(), q2 - q2.min()
    out = np.zeros((q2.max() + 1, p2.max() + 1, 3), image.dtype)
    out[q2, p2] = image[q, p]
    return out


def _naive_frames(path):
    """Every decoded frame as stored in the file: `(N, H, W, 3)` uint8, no turning."""
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
@pytest.mark.parametrize("name", sorted(DISPLAY_MATRICES))
def test_display_matrix_is_applied_as_a_player_would(tmp_path, name, suffix):
    matrix = DISPLAY_MATRICES[name]
    path = fake.write_av_video(tmp_path / f"phone{suffix}", _quadrant_frames(5), fps=10,
                               display_matrix=matrix)
    naive = _naive_frames(path)
    assert naive.shape[1:3] == (40, 48)  # stored as encoded, not turned
    frames, _ = video_io.read_frames_at(path, [0.0, 0.2], size=SIZE)
    for got, index in zip(frames, [0, 2]):  # each compared with its own decoded frame
        expected = image_io.resize_and_center_crop(
            Image.fromarray(_as_displayed(naive[index], matrix)), SIZE)
        np.testing.assert_array_equal(got, expected)
    unturned = image_io.resize_and_center_crop(Image.fromarray(naive[0]), SIZE)
    assert np.abs(frames[0].astype(int) - unturned).mean() > 40


def test_clockwise_matrix_puts_the_top_row_on_the_right(tmp_path):
    frames = np.zeros((3, 32, 64, 3), np.uint8)
    frames[:, :8] = 255  # a white top band of a landscape frame
    path = fake.write_av_video(tmp_path / "phone.mp4", frames, fps=10,
                               display_matrix=DISPLAY_MATRICES["clockwise_90"])
    out, _ = video_io.read_frames_at(path, [0.0], size=32)
    assert out[0, :, -4:].min() > 200 and out[0, :, :16].max() < 60  # right side white


def test_display_transpose_covers_the_eight_orientations_and_snaps_tilts():
    got = {name: video_decoder.display_transpose(m) for name, m in DISPLAY_MATRICES.items()}
    assert len(set(got.values())) == 7 and None not in got.values()
    assert video_decoder.display_transpose(None) is None
    assert video_decoder.display_transpose([_U, 0, 0, 0, _U, 0, 0, 0, _W]) is None
    tilted = [int(_U * np.cos(0.3)), int(_U * np.sin(0.3)), 0,
              int(-_U * np.sin(0.3)), int(_U * np.cos(0.3)), 0, 0, 0, _W]  # 17 degrees
    assert video_decoder.display_transpose(tilted) is None
    assert video_decoder.display_transpose([5, -_U, 0, _U, 3, 0, 0, 0, _W]) == Image.Transpose.ROTATE_90


def test_display_matrix_is_applied_after_a_seek(tmp_path):
    frames = np.concatenate([fake.indexed_frames(60, 40, 48)[:, :20],
                             _quadrant_frames(60)[:, 20:]], axis=1)  # index on top
    path = fake.write_av_video(tmp_path / "long.mp4", frames, fps=10, gop=5,
                               display_matrix=DISPLAY_MATRICES["clockwise_90"])
    times = [0.0, 5.0]  # a gap > SEEK_GAP_SECONDS
    seeked, _ = video_io.read_frames_at(path, times, size=SIZE)
    linear, _ = video_io.read_frames_at(path, times, size=SIZE, seek=False)
    np.testing.assert_array_equal(seeked, linear)
    naive = _naive_frames(path)
    expected = image_io.resize_and_center_crop(
        Image.fromarray(_as_displayed(naive[50], DISPLAY_MATRICES["clockwise_90"])), SIZE)
    np.testing.assert_array_equal(seeked[1], expected)
