"""Tests of cinegen_tf.data.video_io / image_io on every kind of input, odd ones included."""
import av
import numpy as np
import pytest
from PIL import Image

from cinegen_datasets.real_cinemagraphs import fake_manual_dir as fake
from cinegen_tf.data import image_io
from cinegen_tf.data import video_decoder
from cinegen_tf.data import video_io

SIZE = 24


def _indices(frames):
    return [fake.frame_index(f) for f in frames]


def test_gif_honours_each_frame_delay(tmp_path):
    delays = [100, 200, 50, 0, 300]  # 0 ms is shown for 100 ms
    path = fake.write_gif(tmp_path / "a.gif", fake.indexed_frames(5), delays)
    timeline = video_io.probe(path)
    np.testing.assert_allclose(timeline.timestamps, [0, 0.1, 0.3, 0.35, 0.45])
    assert timeline.duration == pytest.approx(0.75)
    assert any("100 ms" in note for note in timeline.notes)
    frames, stamps = video_io.read_frames_at(path, [0.0, 0.29, 0.3, 0.44, 0.74], size=SIZE)
    assert frames.shape == (5, SIZE, SIZE, 3) and frames.dtype == np.uint8
    assert _indices(frames) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(stamps, [0, 0.1, 0.3, 0.35, 0.45])


def test_gif_with_only_zero_delays_is_converted_not_zero_length(tmp_path):
    path = fake.write_gif(tmp_path / "z.gif", fake.indexed_frames(4), [0, 0, 0, 0])
    timeline = video_io.probe(path)
    assert timeline.duration == pytest.approx(0.4)


@pytest.mark.parametrize("suffix,codec", [(".mp4", "libx264"), (".avi", "mjpeg"),
                                          (".avi", "rawvideo"), (".mov", "mpeg4"),
                                          (".webm", "libvpx-vp9")])
def test_video_timestamps_and_frames(tmp_path, suffix, codec):
    path = fake.write_video(tmp_path / f"v{suffix}", fake.indexed_frames(15), fps=10, codec=codec)
    timeline = video_io.probe(path)
    np.testing.assert_allclose(timeline.timestamps, np.arange(15) / 10, atol=1e-6)
    assert timeline.duration == pytest.approx(1.5)
    frames, stamps = video_io.read_frames_at(path, [0.0, 0.05, 0.55, 1.49], size=SIZE)
    assert _indices(frames) == [0, 0, 5, 14]
    np.testing.assert_allclose(stamps, [0, 0, 0.5, 1.4], atol=1e-6)


def _write_keyframed_mp4(path, num, fps, gop):
    frames = fake.indexed_frames(num, 32, 32)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width = stream.height = 32
        stream.pix_fmt = "yuv420p"
        stream.gop_size = gop
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def test_seeking_over_long_gaps_returns_the_same_frames(tmp_path):
    path = _write_keyframed_mp4(tmp_path / "long.mp4", num=90, fps=10, gop=7)  # 9 s
    times = [0.0, 0.35, 4.0, 4.21, 8.95]  # gaps > SEEK_GAP_SECONDS
    seeked, seeked_t = video_io.read_frames_at(path, times, size=SIZE)
    linear, linear_t = video_io.read_frames_at(path, times, size=SIZE, seek=False)
    np.testing.assert_array_equal(seeked, linear)
    np.testing.assert_array_equal(seeked_t, linear_t)
    assert _indices(seeked) == [0, 3, 40, 42, 89]


def test_frame_folder_sorts_numerically_and_reads_fps_file(tmp_path):
    folder = fake.write_frame_folder(tmp_path / "f", fake.indexed_frames(12), fps=4)
    names = [p.name for p in image_io.list_frame_files(folder)]
    assert names[:3] == ["0.png", "1.png", "2.png"] and names[-1] == "11.png"
    timeline = video_io.probe(folder)
    assert timeline.duration == pytest.approx(3.0)
    frames, _ = video_io.read_frames_at(folder, [0.0, 2.5, 2.74], size=SIZE)
    assert _indices(frames) == [0, 10, 10]


def test_frame_folder_default_rate_and_bad_fps_file(tmp_path):
    folder = fake.write_frame_folder(tmp_path / "f", fake.indexed_frames(5))
    assert video_io.probe(folder).duration == pytest.approx(5 / video_io.DEFAULT_FRAMES_FPS)
    (folder / "fps.txt").write_text("fast")
    with pytest.raises(video_io.DecodeError, match="fps.txt.*positive frame rate"):
        video_io.probe(folder)


def test_natural_key_orders_digit_runs_by_value():
    names = ["frame10.png", "frame2.png", "Frame1.png", "frame2b.png"]
    assert sorted(names, key=image_io.natural_key) == [
        "Frame1.png", "frame2.png", "frame2b.png", "frame10.png"]


@pytest.mark.parametrize("name,data,match", [
    ("garbage.mp4", b"\x00\x01junk" * 100, "cannot open as video"),
    ("empty.gif", b"", "empty file"),
    ("garbage.gif", b"GIF89a" + b"\x00" * 10, "unreadable GIF"),
    ("notes.txt", b"hello", "unsupported file type"),
])
def test_broken_files_raise_decode_error_naming_them(tmp_path, name, data, match):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(video_io.DecodeError, match=match) as error:
        video_io.probe(path)
    assert name in str(error.value)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(video_io.DecodeError, match="no such file"):
        video_io.probe(tmp_path / "nothing.mp4")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(video_io.DecodeError, match="holds no"):
        video_io.probe(tmp_path / "empty_dir")


def test_truncated_gif_keeps_the_frames_before_the_damage(tmp_path):
    whole = fake.write_gif(tmp_path / "w.gif", fake.indexed_frames(8), [100] * 8)
    data = whole.read_bytes()
    cut = tmp_path / "cut.gif"
    cut.write_bytes(data[: int(len(data) * 0.7)])
    timeline = video_io.probe(cut)
    assert 1 <= len(timeline.timestamps) < 8
    assert any("unreadable" in note for note in timeline.notes)
    frames, _ = video_io.read_frames_at(cut, timeline.timestamps, size=SIZE)
    assert _indices(frames) == list(range(len(timeline.timestamps)))


def test_truncated_avi_keeps_the_readable_packets(tmp_path):
    whole = fake.write_video(tmp_path / "w.avi", fake.indexed_frames(20), fps=10, codec="mjpeg")
    data = whole.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    timeline = video_io.probe(cut)
    assert 2 <= len(timeline.timestamps) < 20
    frames, _ = video_io.read_frames_at(cut, timeline.timestamps[:3], size=SIZE)
    assert _indices(frames) == [0, 1, 2]


def test_single_frame_sources_probe_to_one_timestamp(tmp_path):
    gif = fake.write_gif(tmp_path / "one.gif", fake.indexed_frames(1), [100])
    mp4 = fake.write_video(tmp_path / "one.mp4", fake.indexed_frames(1), fps=10, codec="libx264")
    assert len(video_io.probe(gif).timestamps) == 1
    assert len(video_io.probe(mp4).timestamps) == 1


def test_odd_image_modes_become_rgb(tmp_path):
    folder = tmp_path / "modes"
    folder.mkdir()
    gray = np.tile(np.arange(0, 240, 10, dtype=np.uint8), (24, 1))  # (24, 24)
    Image.fromarray(gray, "L").save(folder / "0.png")
    rgba = np.zeros((24, 24, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 128  # half-transparent red over black -> ~100
    Image.fromarray(rgba, "RGBA").save(folder / "1.png")
    Image.fromarray(gray.astype(np.uint16) * 257).save(folder / "2.png")  # 16-bit
    Image.fromarray(np.full((24, 24, 3), 90, np.uint8)).convert("P").save(folder / "3.png")
    frames, _ = video_io.read_frames_at(folder, [0.0, 0.04, 0.08, 0.12], size=24)
    np.testing.assert_array_equal(frames[0, ..., 0], gray)
    np.testing.assert_array_equal(frames[0, ..., 0], frames[0, ..., 2])
    assert abs(int(frames[1, 0, 0, 0]) - 100) <= 1 and frames[1, 0, 0, 1] == 0
    np.testing.assert_array_equal(frames[2, ..., 1], gray)  # scaled, not clipped to 255
    assert abs(int(frames[3].mean()) - 90) <= 2


def test_grayscale_and_palette_gif(tmp_path):
    frames = fake.indexed_frames(3)
    gray = [Image.fromarray(f).convert("L") for f in frames]
    gray[0].save(tmp_path / "g.gif", save_all=True, append_images=gray[1:], duration=100)
    out, _ = video_io.read_frames_at(tmp_path / "g.gif", [0.0, 0.1, 0.2], size=SIZE)
    assert out.shape == (3, SIZE, SIZE, 3)
    assert (out[..., 0] == out[..., 1]).all()  # grey stays grey
    assert len(set(out.reshape(3, -1).mean(axis=1).round(1))) == 3


def test_resize_and_center_crop_keeps_the_middle():
    image = np.zeros((40, 120, 3), np.uint8)
    image[:, 40:80] = 255  # the middle third is white
    out = image_io.resize_and_center_crop(Image.fromarray(image), 20)
    assert out.shape == (20, 20, 3)
    assert out[:, 2:-2].min() > 240  # the crop lies in the white middle


def test_enormous_images_are_refused_not_fatal(tmp_path, monkeypatch):
    path = fake.write_gif(tmp_path / "big.gif", fake.indexed_frames(2), [100, 100])
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 48x40 is now a "bomb"
    with pytest.raises(video_io.DecodeError, match="big.gif"):
        video_io.probe(path)


def test_large_video_is_downscaled(tmp_path):
    frames = np.repeat(np.repeat(fake.indexed_frames(3), 24, axis=1), 24, axis=2)  # 960x1152
    path = fake.write_video(tmp_path / "big.mp4", frames, fps=10, codec="libx264")
    out, _ = video_io.read_frames_at(path, [0.0, 0.1, 0.2], size=SIZE)
    assert out.shape == (3, SIZE, SIZE, 3)
    assert _indices(out) == [0, 1, 2]


def test_read_frames_at_validates_times(tmp_path):
    path = fake.write_gif(tmp_path / "a.gif", fake.indexed_frames(3), [100] * 3)
    with pytest.raises(ValueError, match="ascend"):
        video_io.read_frames_at(path, [0.2, 0.1], size=SIZE)
    with pytest.raises(ValueError, match="ascend"):
        video_io.read_frames_at(path, [0.0, 0.3], size=SIZE)  # 0.3 s is the end


def test_corrupt_frame_in_a_folder_names_the_frame(tmp_path):
    folder = fake.write_frame_folder(tmp_path / "f", fake.indexed_frames(4))
    (folder / "2.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(video_io.DecodeError, match="2.png"):
        video_io.read_frames_at(folder, [0.0, 0.08], size=SIZE)
    frames, _ = video_io.read_frames_at(folder, [0.0, 0.04], size=SIZE)  # 2.png not needed
    assert _indices(frames) == [0, 1]


@pytest.mark.parametrize("suffix,codec,pix_fmt,tolerance", [
    (".avi", "rawvideo", "gray", 0), (".mkv", "ffv1", "gray", 0),
    (".mkv", "ffv1", "gray16le", 1),  # 8 -> 16 -> 8 bits rounds a few values up
    (".avi", "mpeg4", "yuv420p", 8)])  # lossy
def test_grayscale_video_becomes_rgb(tmp_path, suffix, codec, pix_fmt, tolerance):
    ramp = np.tile(np.arange(0, 240, 5, dtype=np.uint8), (SIZE, 1))  # (24, 48)
    frames = np.repeat(np.stack([ramp, ramp[:, ::-1]])[..., None], 3, axis=-1)
    path = fake.write_av_video(tmp_path / f"gray{suffix}", frames, fps=10, codec=codec,
                               pix_fmt=pix_fmt)
    out, _ = video_io.read_frames_at(path, [0.0, 0.1], size=SIZE)
    assert out.shape == (2, SIZE, SIZE, 3)
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    np.testing.assert_array_equal(out[..., 0], out[..., 2])
    centre = ramp[:, 12:36]  # the short side is already 24: only the centre crop
    assert np.abs(out[0, ..., 0].astype(int) - centre).max() <= tolerance
    assert np.abs(out[1, ..., 0].astype(int) - centre[:, ::-1]).max() <= tolerance


def test_metadata_that_is_not_utf8_is_accepted(tmp_path):
    path = fake.write_av_video(tmp_path / "greek.mp4", fake.indexed_frames(12), fps=10,
                               title="Φωτιά", metadata_encoding="iso8859-7")
    with pytest.raises(UnicodeDecodeError):
        av.open(str(path))  # PyAV's default: strict UTF-8
    timeline = video_io.probe(path)
    assert timeline.notes == (video_decoder.NON_UTF8_METADATA_NOTE,)
    frames, _ = video_io.read_frames_at(path, [0.0, 0.55, 1.15], size=SIZE)
    assert _indices(frames) == [0, 5, 11]


def _mp4_without_early_keyframes(path, num=90, fps=10, gop=60):
    """An MP4 whose index flags no keyframe before `gop / fps` s (as some encoders
    write): FFmpeg refuses every seek to an earlier time with EPERM, though every frame
    decodes."""
    source = fake.write_av_video(path.with_name("source.mp4"), fake.indexed_frames(num, 32, 32),
                                 fps=fps, gop=gop)
    with av.open(str(source)) as inp, av.open(str(path), "w") as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for k, packet in enumerate(inp.demux(video=0)):
            if packet.size:
                packet.is_keyframe = packet.is_keyframe and k > 0
                packet.stream = stream
                out.mux(packet)
    return path


def test_refused_seek_falls_back_to_decoding_forward(tmp_path):
    path = _mp4_without_early_keyframes(tmp_path / "late_keyframe.mp4")
    with av.open(str(path)) as container:  # the file really refuses the seek
        stream = container.streams.video[0]
        with pytest.raises(av.FFmpegError, match="Operation not permitted"):
            container.seek(int(3.5 / stream.time_base), stream=stream, backward=True)
    times = [0.0, 0.15, 3.5, 8.95]  # 3.5 s: a seek past the gap, refused
    seeked, seeked_t = video_io.read_frames_at(path, times, size=SIZE)
    linear, linear_t = video_io.read_frames_at(path, times, size=SIZE, seek=False)
    assert _indices(seeked) == [0, 1, 35, 89]
    np.testing.assert_array_equal(seeked, linear)
    np.testing.assert_array_equal(seeked_t, linear_t)


def test_failed_seek_resumes_from_the_last_seek_that_worked(tmp_path, monkeypatch):
    path = _write_keyframed_mp4(tmp_path / "long.mp4", num=100, fps=10, gop=10)  # 10 s
    sought, real_seek = [], video_decoder.VideoStream.seek

    def seek(self, seconds):
        sought.append(round(seconds, 3))
        if seconds > 6.0:  # as a demuxer whose index ends early would
            raise av.error.PermissionError(1, "Operation not permitted")
        real_seek(self, seconds)

    monkeypatch.setattr(video_decoder.VideoStream, "seek", seek)
    times = [0.0, 3.05, 6.55, 9.95]
    frames, stamps = video_io.read_frames_at(path, times, size=SIZE)
    assert sought == [3.05, 6.55, 3.05]  # the failed one, then back to the good one
    assert _indices(frames) == [0, 30, 65, 99]
    np.testing.assert_allclose(stamps, [0.0, 3.0, 6.5, 9.9], atol=1e-6)
