"""Decoding real cinemagraph sources into timed, downscaled RGB frames (Sec. 4.2).

A source is a GIF, a video file (MP4, AVI, MOV, WebM, MKV, M4V) or a folder of numbered
still frames. Sampling takes two passes, so memory stays at a few frames whatever the
source's length or resolution:

1. `probe(path)` -> `Timeline`: every frame's start time in seconds, counted from the
   first frame, and the source's duration (the end of its last frame). Video: the
   packets' presentation timestamps, read without decoding. GIF: each frame's own delay
   (0/10 ms delays shown as 100 ms, as browsers do). Frame folder: a fixed rate, 25 fps
   unless the folder holds `fps.txt` with its rate.
2. `read_frames_at(path, times, size=...)` streams through the source once and keeps only
   the frame *showing* at each requested time (the last frame starting at or before it),
   turned upright as a player shows it (the display matrix, see `video_decoder.display_transpose`),
   converted to RGB, short side resized to `size`, centre-cropped to `size x size`.
   Video gaps longer than `SEEK_GAP_SECONDS` are skipped by seeking to a keyframe; a
   seek the demuxer refuses (or one that lands past its target) falls back to decoding
   forward from the last good position, so it costs time, never frames.

Video goes through PyAV (FFmpeg's libraries; no ffmpeg binary), the backend of imageio's
"pyav" plugin, used directly because that plugin does not return frame timestamps. GIFs
and frame files go through Pillow (see `image_io`). Container metadata in any encoding
is accepted (bytes that are not UTF-8 are replaced; nothing here reads the metadata). A
file that cannot be used raises `DecodeError` naming it; what was converted on the way
is listed in `Timeline.notes`.
"""
import dataclasses
import math
import pathlib

import numpy as np

from cinegen_tf.data import clips
from cinegen_tf.data import image_io
from cinegen_tf.data import video_decoder
from cinegen_tf.data.image_io import DecodeError  # noqa: F401  (part of this API)
from cinegen_tf.data.video_decoder import AV_ERRORS

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".webm", ".mkv", ".m4v")
GIF_EXTENSIONS = (".gif",)
DEFAULT_FRAMES_FPS = 25.0
FPS_FILE = "fps.txt"
# Seek past gaps longer than this; shorter ones are cheaper to decode through.
SEEK_GAP_SECONDS = 2.0
# How many frames the timeline may list past the last one the decoder outputs.
END_SLACK_FRAMES = 2


@dataclasses.dataclass(frozen=True)
class Timeline:
    """When each frame of a source is shown.

    Attributes:
        timestamps: `(N,)` float64 start times in seconds, strictly increasing, first 0.
        duration: seconds from the first frame's start to the last frame's end.
        notes: what was converted to make the source usable (empty when nothing was).
        pts_origin: video only: the first frame's presentation time in the file's own
            clock (seconds); None when frames are timed by their index instead.
    """
    timestamps: np.ndarray
    duration: float
    notes: tuple[str, ...] = ()
    pts_origin: float | None = None

    def index_at(self, times) -> np.ndarray:
        """`(K,)` int64: index of the frame showing at each time in `times` (seconds)."""
        return clips.frame_indices(self.timestamps, times)


def source_kind(path) -> str:
    """"video", "gif" or "frames" (a folder); DecodeError for anything else."""
    path = pathlib.Path(path)
    if path.is_dir():
        return "frames"
    suffix = path.suffix.lower()
    if suffix in GIF_EXTENSIONS:
        return "gif"
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    raise DecodeError(f"{path}: unsupported file type {suffix or '(no extension)'!r}; "
                      f"expected {GIF_EXTENSIONS + VIDEO_EXTENSIONS} or a frame folder")


def probe(path, *, frames_fps: float = DEFAULT_FRAMES_FPS) -> Timeline:
    """Reads a source's frame times without converting any pixels.

    Args:
        path: a GIF, a video file or a folder of numbered frames.
        frames_fps: rate of a frame folder that has no `fps.txt`.

    Returns:
        The source's `Timeline` (a single-frame source has one timestamp).

    Raises:
        DecodeError: the source cannot be opened, has no frames or too small frames.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise DecodeError(f"{path}: no such file or folder")
    kind = source_kind(path)
    if kind != "frames" and path.stat().st_size == 0:
        raise DecodeError(f"{path}: empty file (0 bytes)")
    if kind == "gif":
        delays_ms, notes = image_io.gif_delays_ms(str(path))
        if not len(delays_ms):
            raise DecodeError(f"{path}: GIF has no frames")
        ends_ms = np.cumsum(delays_ms)  # integer milliseconds: no float drift in the sums
        return Timeline((ends_ms - delays_ms) / 1000.0, float(ends_ms[-1]) / 1000.0, tuple(notes))
    if kind == "frames":
        files = image_io.list_frame_files(path)
        if not files:
            raise DecodeError(f"{path}: frame folder holds no {image_io.FRAME_EXTENSIONS} files")
        fps = _folder_fps(path, frames_fps)
        return Timeline(np.arange(len(files)) / fps, len(files) / fps)
    return _probe_video(str(path))


def _folder_fps(folder: pathlib.Path, default: float) -> float:
    fps_file = folder / FPS_FILE
    if not fps_file.exists():
        if not (math.isfinite(default) and default > 0):
            raise ValueError(f"frames_fps must be a positive frame rate, got {default!r}")
        return default
    text = fps_file.read_text().strip()
    try:
        fps = float(text)
    except ValueError:
        fps = math.nan
    if not math.isfinite(fps) or fps <= 0:
        raise DecodeError(f"{fps_file}: expected a positive frame rate, got {text!r}")
    return fps


def _probe_video(path: str) -> Timeline:
    notes = []
    container = video_decoder.open_video(path, notes)
    with container:
        if not container.streams.video:
            raise DecodeError(f"{path}: no video stream")
        stream = container.streams.video[0]
        reason = image_io.check_frame_size(stream.width or 0, stream.height or 0)
        if reason and stream.width:
            raise DecodeError(f"{path}: {reason}")
        pts, durations = [], []
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue  # the flush packet at the end, or an empty (dropped) frame
                pts.append(packet.pts if packet.pts is not None else packet.dts)
                durations.append(packet.duration or 0)
        except AV_ERRORS as error:
            if not pts:
                raise DecodeError(f"{path}: no readable video packet ({error})") from error
            notes.append(f"stopped reading after {len(pts)} packets ({error})")
        if not pts:
            raise DecodeError(f"{path}: video stream has no frames")
        rate = float(stream.guessed_rate or stream.average_rate or 0) or DEFAULT_FRAMES_FPS
        origin = None
        if any(p is None for p in pts):
            notes.append(f"packets without timestamps: frames timed at {rate:g} fps")
            seconds = np.arange(len(pts)) / rate
            last_duration = 1.0 / rate
        else:
            order = np.argsort(pts, kind="stable")
            base = float(stream.time_base)
            seconds = np.asarray(pts, np.float64)[order] * base
            last_duration = durations[order[-1]] * base
            origin = float(seconds[0])
        starts = np.unique(seconds - seconds[0])
        if len(starts) < len(seconds):
            notes.append(f"{len(seconds) - len(starts)} packets repeat an earlier timestamp")
        if last_duration <= 0:
            last_duration = float(np.median(np.diff(starts))) if len(starts) > 1 else 1.0 / rate
    return Timeline(starts, float(starts[-1] + last_duration), tuple(notes), origin)


def read_frames_at(path, times, *, size, timeline: Timeline | None = None,
                   frames_fps: float = DEFAULT_FRAMES_FPS,
                   seek: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Decodes the frames showing at `times`, downscaled, in one streaming pass.

    Args:
        path: a GIF, a video file or a folder of numbered frames.
        times: `(K,)` seconds from the source's first frame, ascending, in
            `[0, timeline.duration)`.
        size: side of the square output frames in pixels, or an `image_io.Width`:
            whole frames, aspect kept, that wide (`Width()`: as stored).
        timeline: the source's `probe` result, if already known.
        frames_fps: rate of a frame folder that has no `fps.txt`.
        seek: whether video may seek over long gaps (False decodes every frame).

    Returns:
        `(frames, timestamps)`: `(K, size, size, 3)` (or `(K, h, w, 3)` for a `Width`)
            uint8 in [0, 255], and `(K,)` float64
        start time in seconds of each returned frame.

    Raises:
        DecodeError: the source or a needed frame cannot be decoded.
        ValueError: `times` is not ascending or lies outside the source.
    """
    timeline = timeline or probe(path, frames_fps=frames_fps)
    times = np.asarray(times, np.float64)
    if times.ndim != 1 or not len(times):
        raise ValueError(f"{path}: times must be a non-empty 1-D array, got shape {times.shape}")
    if np.any(np.diff(times) < 0) or times[0] < 0 or times[-1] >= timeline.duration:
        raise ValueError(f"{path}: times must ascend within [0, {timeline.duration:.3f}) s, "
                         f"got {times.tolist()}")
    kind = source_kind(path)
    if kind == "video":
        return _read_video_at(str(path), times, size, timeline, seek)
    indices = timeline.index_at(times)
    if kind == "gif":
        by_index = image_io.read_gif_frames(str(path), indices, size)
    else:
        files = image_io.list_frame_files(pathlib.Path(path))
        by_index = {i: image_io.read_frame_file(files[i], size) for i in set(indices.tolist())}
    frames = np.stack([by_index[i] for i in indices.tolist()])
    return frames, timeline.timestamps[indices]


def _read_video_at(path, times, size, timeline, seek):
    video = video_decoder.VideoStream(path)
    try:
        time_base, origin = float(video.stream.time_base), timeline.pts_origin
        seek = seek and origin is not None
        frames, stamps = [None] * len(times), np.zeros(len(times))
        count, last_t, prev, j, seeked_for = 0, -math.inf, None, 0, -1
        resume = None  # where the frames now decoded began: seconds sought to, None: start

        def frame_time(frame):
            if origin is None or frame.pts is None:
                return float(timeline.timestamps[min(count, len(timeline.timestamps) - 1)])
            return frame.pts * time_base - origin

        def convert(frame):
            try:
                image = frame.to_image()
                transpose = video_decoder.display_transpose(video_decoder.frame_display_matrix(frame))
                if transpose is not None:
                    image = image.transpose(transpose)
                return image_io.resize_frame(image, size)
            except AV_ERRORS as error:
                raise DecodeError(f"{path}: cannot convert frame ({error})") from error

        while j < len(times):
            frame = next(video.frames, None)
            if frame is None:
                break
            t, count = frame_time(frame), count + 1
            if t <= last_t:
                continue  # a repeated timestamp, or frames replayed after a fallback
            prev = prev or (t, frame)  # times before the first decoded frame get that frame
            if j < len(times) and times[j] < t - clips.TIME_EPSILON:
                image = convert(prev[1])
                while j < len(times) and times[j] < t - clips.TIME_EPSILON:
                    frames[j], stamps[j], j = image, prev[0], j + 1
            prev, last_t = (t, frame), t
            if seek and j < len(times) and j != seeked_for and times[j] - t > SEEK_GAP_SECONDS:
                seeked_for = j  # one seek per target: the keyframe may lie before `t`
                seek, resume = video_decoder.seek_or_fall_back(video, times[j], origin, frame_time, resume, t)
        if j < len(times):
            # The decoder may not output the last packets (edit lists, undecodable tails).
            expected = int(timeline.index_at(times[-1:])[0])
            if prev is None or expected - int(timeline.index_at([prev[0]])[0]) > END_SLACK_FRAMES:
                stop = "no frame" if prev is None else f"{prev[0]:.3f} s"
                detail = f" ({'; '.join(video.errors[-3:])})" if video.errors else ""
                raise DecodeError(f"{path}: decoding stopped at {stop}, before the frame "
                                  f"showing at {times[-1]:.3f} s{detail}")
            image = convert(prev[1])
            frames[j:] = [image] * (len(times) - j)
            stamps[j:] = prev[0]
    finally:
        video.close()
    return np.stack(frames), stamps
