"""Writes a small manual_dir of generated clips for tests (no real footage needed).

Every frame carries its own index in its colour, robust to lossy codecs: red is
`25 * (i % 10)`, blue `25 * (i // 10)` (so up to 100 frames), and green is mid-grey with
a white bar that moves one step per frame, so consecutive frames differ.
`frame_index(frame)` reads the index back from a decoded (resized, cropped) frame.

`write_manual_dir(root)` writes one source of each supported kind plus broken files
and returns what a correct builder must make of them (`FakeSource`s).
"""
import dataclasses
import pathlib

import av
import imageio.v3 as iio
import numpy as np

from cinegen_tf.data import clips

HEIGHT, WIDTH = 40, 48  # not square: the builder resizes the short side and crops


def indexed_frames(num: int, height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """`(num, height, width, 3)` uint8 frames whose colour encodes their index (< 100)."""
    if not 0 < num <= 100:
        raise ValueError(f"num must lie in [1, 100], got {num}")
    frames = np.zeros((num, height, width, 3), np.uint8)
    for i in range(num):
        frames[i, ..., 0] = 25 * (i % 10)
        frames[i, ..., 1] = 128
        frames[i, ..., 2] = 25 * (i // 10)
        bar = (4 * i) % (width - 4)
        frames[i, :, bar:bar + 4, 1] = 255
    return frames


def frame_index(frame: np.ndarray) -> int:
    """Inverse of `indexed_frames` for one decoded `(H, W, 3)` frame."""
    red, blue = frame[..., 0].mean(), frame[..., 2].mean()
    return int(round(red / 25)) + 10 * int(round(blue / 25))


def write_gif(path, frames: np.ndarray, durations_ms) -> pathlib.Path:
    """A looping GIF whose frame i is shown `durations_ms[i]` ms (multiples of 10)."""
    durations = [int(d) for d in durations_ms]
    # Pillow wants a plain number for a single frame.
    iio.imwrite(path, frames, plugin="pillow",
                duration=durations if len(durations) > 1 else durations[0], loop=0)
    return pathlib.Path(path)


def write_video(path, frames: np.ndarray, fps: int, codec: str) -> pathlib.Path:
    """A video written by PyAV through imageio, e.g. codec "libx264" (MP4), "mjpeg" (AVI)."""
    extra = {"out_pixel_format": "yuvj420p"} if codec == "mjpeg" else {}
    iio.imwrite(path, frames, plugin="pyav", codec=codec, fps=fps, **extra)
    return pathlib.Path(path)


def write_av_video(path, frames: np.ndarray, fps: int, *, codec: str = "libx264",
                   pix_fmt: str = "yuv420p", gop: int | None = None, display_matrix=None,
                   title: str | None = None, metadata_encoding: str = "utf-8") -> pathlib.Path:
    """A video written with PyAV directly, for what imageio cannot set.

    Args:
        path: the file; its suffix picks the container (.mp4, .mov, .mkv, .avi, ...).
        frames: `(N, H, W, 3)` uint8 RGB.
        fps: frame rate.
        codec, pix_fmt: the encoder and the pixel format it is fed ("gray" for
            grayscale; frames are converted to it).
        gop: frames between keyframes (None: the encoder's default).
        display_matrix: 9 ints in FFmpeg's display matrix layout (as a phone writes
            rotation), stored in the container; None for none.
        title: a container title, written in `metadata_encoding` (e.g. "latin-1" to make
            metadata that is not UTF-8).
    """
    with av.open(str(path), "w", metadata_encoding=metadata_encoding) as container:
        if title is not None:
            container.metadata["title"] = title
        stream = container.add_stream(codec, rate=fps)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = pix_fmt
        if gop is not None:
            stream.gop_size = gop
        if display_matrix is not None:
            stream.set_display_matrix([int(v) for v in display_matrix])
        for frame in frames:
            rgb = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
            container.mux(stream.encode(rgb.reformat(format=pix_fmt)))
        container.mux(stream.encode(None))
    return pathlib.Path(path)


def write_frame_folder(folder, frames: np.ndarray, fps: float | None = None) -> pathlib.Path:
    """`0.png, 1.png, ... ` (numeric names, so 10.png sorts after 9.png) + optional fps.txt."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(frames):
        iio.imwrite(folder / f"{i}.png", frame)
    if fps is not None:
        (folder / "fps.txt").write_text(f"{fps}\n")
    return folder


def name_in_split(category: str, stem: str, suffix: str, split: str) -> str:
    """The first name `stem<k><suffix>` (k = 0, 1, ...) that hashes into `split`."""
    for k in range(1000):
        name = f"{stem}{k}{suffix}"
        if clips.split_for_source(category, name) == split:
            return name
    raise AssertionError(f"no name {stem}<k>{suffix} hashes into {split!r}")


@dataclasses.dataclass(frozen=True)
class FakeSource:
    """What the builder must make of one written file: `num_clips` 0 means skipped."""
    category: str
    name: str
    num_clips: int
    split: str
    frame_starts: tuple[float, ...] = ()  # true start time of each written frame (s)


def write_manual_dir(root) -> list[FakeSource]:
    """Writes `root/water/` (the accepted alias of water_flowing) and `root/fire/`.

    Usable: a GIF with its own per-frame delays (1 clip), an H.264 MP4 of 4.2 s (2
    clips), an MJPEG AVI of 6 s (3 clips), a PNG frame folder with fps.txt (1 clip), a
    MOV of 1.4 s with rotation metadata and a title that is not UTF-8 (1 clip); each
    category has a source in train and one in test. Skipped: a random-bytes MP4, a
    single-frame GIF, an empty AVI, a truncated MP4, a .txt file, and a GIF whose
    samples all show one frame.
    """
    root = pathlib.Path(root)
    water, fire = root / "water", root / "fire"
    water.mkdir(parents=True)
    fire.mkdir(parents=True)
    sources = []

    delays = [100, 200, 50, 0, 100, 150, 100, 100, 100, 100, 100, 100]  # 0 ms -> 100 ms
    shown = [d if d > 10 else 100 for d in delays]
    name = name_in_split("water_flowing", "ripple", ".gif", "train")
    write_gif(water / name, indexed_frames(len(delays)), delays)
    starts = tuple(np.concatenate([[0], np.cumsum(shown)[:-1]]) / 1000.0)
    sources.append(FakeSource("water_flowing", name, 1, "train", starts))

    name = name_in_split("water_flowing", "stream", ".mp4", "test")
    write_video(water / name, indexed_frames(42), fps=10, codec="libx264")
    sources.append(FakeSource("water_flowing", name, 2, "test", tuple(np.arange(42) / 10)))

    name = name_in_split("fire", "flame", ".avi", "train")
    write_video(fire / name, indexed_frames(60), fps=10, codec="mjpeg")
    sources.append(FakeSource("fire", name, 3, "train", tuple(np.arange(60) / 10)))

    name = name_in_split("fire", "embers", "", "test")
    write_frame_folder(fire / name, indexed_frames(12), fps=10)
    sources.append(FakeSource("fire", name, 1, "test", tuple(np.arange(12) / 10)))

    # A phone video: stored sideways with a display matrix (turn 90 degrees clockwise),
    # and a title that is not UTF-8.
    name = name_in_split("fire", "phone", ".mov", "train")
    write_av_video(fire / name, indexed_frames(14), fps=10, title="fogueira ç",
                   metadata_encoding="latin-1",
                   display_matrix=[0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30])
    sources.append(FakeSource("fire", name, 1, "train", tuple(np.arange(14) / 10)))

    broken = {
        (water, "garbage.mp4"): np.random.default_rng(0).bytes(4096),
        (fire, "empty.avi"): b"",
        (fire, "notes.txt"): b"not a clip\n",
    }
    for (folder, file_name), data in broken.items():
        (folder / file_name).write_bytes(data)
    write_gif(water / "still.gif", indexed_frames(1), [100])
    whole = write_video(root / "whole.mp4", indexed_frames(30), fps=10, codec="libx264")
    (fire / "truncated.mp4").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()
    write_gif(fire / "frozen.gif", indexed_frames(2), [1000, 1000])  # clip 0: frame 0 only
    for category, file_name in [("water_flowing", "garbage.mp4"), ("water_flowing", "still.gif"),
                                ("fire", "empty.avi"), ("fire", "notes.txt"),
                                ("fire", "truncated.mp4"), ("fire", "frozen.gif")]:
        sources.append(FakeSource(category, file_name, 0,
                                  clips.split_for_source(category, file_name)))
    return sources


def expected_splits(sources, categories) -> dict[str, int]:
    """`{split: number of examples}` for the usable sources of `categories`."""
    counts = {}
    for source in sources:
        if source.category in categories and source.num_clips:
            counts[source.split] = counts.get(source.split, 0) + source.num_clips
    return counts
