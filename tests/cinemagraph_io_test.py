"""Reading photos and masks of every kind, writing GIF / MP4 / WebP (read back: frame
count, loop flag, content and seam), and atomic writes (cinegen_tf/inference/image_io.py,
writers.py)."""
import os

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image, ImageSequence

from cinegen_tf.inference import image_io, looping, writers


def gradient(height=20, width=30):
    y, x = np.mgrid[:height, :width]
    return np.stack([x * 8, y * 12, (x + y) * 4], axis=-1).astype(np.uint8)


# --- inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("extension,tolerance", [(".png", 0), (".bmp", 0), (".webp", 12),
                                                 (".jpg", 20)])
def test_common_formats(tmp_path, extension, tolerance):
    photo = gradient()
    path = tmp_path / ("photo" + extension)
    Image.fromarray(photo).save(path, **({"quality": 95} if extension != ".png" else {}))
    loaded = image_io.load_image(path)
    assert loaded.shape == (20, 30, 3) and loaded.dtype == np.uint8
    assert np.abs(loaded.astype(int) - photo).mean() <= tolerance


def test_gif_first_frame(tmp_path):
    frames = [Image.new("RGB", (8, 6), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    loaded = image_io.load_image(tmp_path / "a.gif")
    assert loaded.shape == (6, 8, 3) and (loaded == (255, 0, 0)).all()


def test_rgba_grey_palette_and_16_bit(tmp_path):
    rgba = np.zeros((4, 5, 4), np.uint8)
    rgba[..., 1], rgba[..., 3] = 200, 255
    rgba[0, 0, 3] = 0
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    loaded = image_io.load_image(tmp_path / "rgba.png")
    assert loaded[1, 1].tolist() == [0, 200, 0] and loaded[0, 0].tolist() == [0, 0, 0]

    Image.fromarray(np.full((4, 5), 77, np.uint8), "L").save(tmp_path / "grey.png")
    assert (image_io.load_image(tmp_path / "grey.png") == 77).all()

    Image.fromarray(gradient()).convert("P").save(tmp_path / "palette.png")
    assert image_io.load_image(tmp_path / "palette.png").shape == (20, 30, 3)

    deep = np.array([[0, 32896, 65535]], np.uint16)  # 16-bit grey: scaled, not clipped
    Image.fromarray(deep).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    np.testing.assert_array_equal(image_io.load_image(tmp_path / "deep.png")[0, :, 0],
                                  [0, 128, 255])


def test_exif_orientation_is_applied(tmp_path):
    stored = np.zeros((20, 30, 3), np.uint8)
    stored[:10, :10] = 255  # white block at the stored top-left
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    image.save(tmp_path / "rotated.jpg", exif=exif, quality=95)
    loaded = image_io.load_image(tmp_path / "rotated.jpg")
    assert loaded.shape == (30, 20, 3)
    assert loaded[:10, -10:].mean() > 200 and loaded[:10, :10].mean() < 50  # now top-right


def test_masks_use_luminance(tmp_path):
    mask = np.zeros((3, 7, 3), np.uint8)
    mask[:, 4:] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    loaded = image_io.load_mask(tmp_path / "mask.png")
    assert loaded.shape == (3, 7) and loaded[:, 4:].min() == 255 and loaded[:, :4].max() == 0


def test_bad_inputs_name_the_file(tmp_path):
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "empty.png").write_bytes(b"")
    Image.fromarray(gradient(200, 200)).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) // 2])
    for name, reason in [("notes.txt", "not a readable image"), ("empty.png", "empty"),
                         ("missing.jpg", "no such"), ("truncated.png", "not a readable"),
                         (".", "not a regular file")]:
        with pytest.raises(image_io.InputError, match=reason) as error:
            image_io.load_image(tmp_path / name)
        assert str(tmp_path / name) in str(error.value)


# --- outputs --------------------------------------------------------------------------


def moving_square(num_frames=6, size=(24, 32)):
    """A white square moving right on black: frames f_0 .. f_{N-1}, uint8."""
    frames = np.zeros((num_frames,) + size + (3,), np.uint8)
    for t in range(num_frames):
        frames[t, 8:16, 2 + 3 * t: 10 + 3 * t] = 255
    return frames


def looped(frames, mode):
    schedule = looping.loop_schedule(len(frames), mode)
    return np.round(looping.apply_loop(frames.astype(np.float32), schedule).numpy()).astype(np.uint8)


def test_gif_round_trip_is_exact_and_loops_forever(tmp_path):
    frames = looped(moving_square(), "crossfade")  # blends: a few grey levels
    path = writers.write_cinemagraph(frames, tmp_path / "a.gif", fps=10)
    with Image.open(path) as gif:
        assert gif.info["loop"] == 0 and gif.n_frames == len(frames)
        assert gif.info["duration"] == 100
        back = np.stack([np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)])
    np.testing.assert_array_equal(back, frames)  # the seam included: last -> first as made


@pytest.mark.parametrize("extension", [".webp", ".mp4"])
def test_lossy_formats_round_trip(tmp_path, extension):
    frames = looped(moving_square(), "pingpong")
    path = writers.write_cinemagraph(frames, tmp_path / ("a" + extension), fps=12.5)
    if extension == ".webp":
        with Image.open(path) as webp:
            back = np.stack([np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(webp)])
    else:
        back = iio.imread(path, plugin="pyav")
    assert back.shape == frames.shape
    assert np.abs(back.astype(int) - frames).mean() < 8
    # Ping-pong seam: the last frame is the second one, so it flows back into the first.
    assert np.abs(back[-1].astype(int) - back[1]).mean() < 2
    if extension == ".webp":
        with Image.open(path) as webp:
            assert webp.info["loop"] == 0 and webp.n_frames == len(frames)


def test_mp4_odd_size_is_padded_to_even(tmp_path):
    frames = moving_square(4, size=(15, 21))
    path = writers.write_cinemagraph(frames, tmp_path / "odd.mp4")
    back = iio.imread(path, plugin="pyav")
    assert back.shape == (4, 16, 22, 3)


def test_bad_outputs_leave_nothing_behind(tmp_path, monkeypatch):
    frames = moving_square(3)
    with pytest.raises(ValueError, match="unknown output extension '.avi'"):
        writers.write_cinemagraph(frames, tmp_path / "a.avi")
    with pytest.raises(ValueError, match="uint8"):
        writers.write_cinemagraph(frames.astype(np.float32), tmp_path / "a.gif")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        writers.write_cinemagraph(frames, tmp_path / "no" / "a.gif")
    assert os.listdir(tmp_path) == []

    existing = tmp_path / "keep.gif"
    writers.write_cinemagraph(frames, existing)
    before = existing.read_bytes()

    def broken_writer(frames, file, fps, quality):
        with open(file, "wb") as f:
            f.write(b"GIF89a partial")
        raise OSError("disk full")

    monkeypatch.setitem(writers._WRITERS, "gif", broken_writer)
    with pytest.raises(OSError, match="disk full"):
        writers.write_cinemagraph(frames, existing)
    assert existing.read_bytes() == before and os.listdir(tmp_path) == ["keep.gif"]
