"""The 10 background textures: exact integer reduction of images shipped in scikit-image."""
import numpy as np
import pytest

from cinegen_tf.data import textures


def test_ten_cluttered_read_only_textures():
    tex = textures.load_textures()
    assert tex.shape == (10, 64, 64, 3) and tex.dtype == np.uint8
    assert not tex.flags.writeable
    assert len(set(textures.TEXTURE_NAMES)) == textures.NUM_TEXTURES == 10
    # Cluttered: every texture has plenty of local detail.
    detail = np.abs(np.diff(tex.astype(np.int64), axis=2)).mean(axis=(1, 2, 3))
    assert detail.min() > 4


def test_reduce_to_frame_crops_the_centre_and_averages_blocks_exactly():
    image = np.zeros((130, 200, 3), np.uint8)  # 128x128 centre crop, 2x2 blocks
    image[1:129, 36:164] = np.arange(128, dtype=np.uint8)[None, :, None]
    out = textures.reduce_to_frame(image)
    expected = (np.arange(0, 128, 2) + 0.5)  # mean of (2k, 2k+1), rounded half up
    assert out.shape == (64, 64, 3)
    np.testing.assert_array_equal(out[0, :, 0], np.floor(expected + 0.5).astype(np.uint8))
    gray = textures.reduce_to_frame(np.full((64, 70), 9, np.uint8))
    assert gray.shape == (64, 64, 3) and np.all(gray == 9)


@pytest.mark.parametrize("image, message", [
    (np.zeros((64, 64), np.float32), "must be uint8"),
    (np.zeros((64, 64, 4), np.uint8), r"must be \(H, W\) or \(H, W, 3\)"),
    (np.zeros((63, 100), np.uint8), "smaller than 64x64"),
])
def test_reduce_to_frame_rejects_bad_images(image, message):
    with pytest.raises(ValueError, match=message):
        textures.reduce_to_frame(image)
