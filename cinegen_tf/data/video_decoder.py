"""PyAV's side of decoding a video: opening it whatever its metadata, its frames in
decode order, seeking with a fall-back to decoding forward, and the display matrix that
turns a frame upright (`video_io` builds sampling on top of these).
"""
import itertools
import math

import av
import numpy as np
from absl import logging
from PIL import Image

from cinegen_tf.data.image_io import DecodeError

AV_ERRORS = (av.FFmpegError, OSError, ValueError, IndexError)
NON_UTF8_METADATA_NOTE = "container metadata is not UTF-8: undecodable bytes replaced"
# The one Pillow transpose that turns a decoded frame upright, keyed by the display
# matrix's linear part as signs: (swaps axes, sign of x', sign of y'); see
# `display_transpose`.
_TRANSPOSES = {
    (False, 1, 1): None,
    (False, -1, 1): Image.Transpose.FLIP_LEFT_RIGHT,
    (False, 1, -1): Image.Transpose.FLIP_TOP_BOTTOM,
    (False, -1, -1): Image.Transpose.ROTATE_180,
    (True, 1, 1): Image.Transpose.TRANSPOSE,
    (True, -1, 1): Image.Transpose.ROTATE_270,  # Pillow turns counterclockwise: 90 clockwise
    (True, 1, -1): Image.Transpose.ROTATE_90,
    (True, -1, -1): Image.Transpose.TRANSVERSE,
}


def display_transpose(matrix) -> Image.Transpose | None:
    """The Pillow transpose that shows a decoded frame as a player would, or None.

    Args:
        matrix: FFmpeg's display matrix (`AV_FRAME_DATA_DISPLAYMATRIX`): 9 int32 in
            row-major order, `[a, b, u, c, d, v, x, y, w]`; a pixel at `(p, q)` (x right,
            y down) is shown at `(a p + c q, b p + d q)` plus a shift. None: no matrix.

    Returns:
        One of the 8 flips and quarter turns (90, 180, 270 degrees, each optionally
        mirrored), None for the identity. A matrix that is not a quarter turn (rare:
        a tilted camera) is snapped to the nearest one; only signs count, not scale.
    """
    if matrix is None:
        return None
    a, b, c, d = (float(matrix[i]) for i in (0, 1, 3, 4))
    swaps = abs(b) + abs(c) > abs(a) + abs(d)
    x_sign, y_sign = (c, b) if swaps else (a, d)
    return _TRANSPOSES[swaps, -1 if x_sign < 0 else 1, -1 if y_sign < 0 else 1]


def frame_display_matrix(frame) -> np.ndarray | None:
    """`(9,)` int32: a decoded PyAV frame's display matrix, or None if it has none.

    Read from a 16x16 copy (a copy keeps the side data): PyAV's side-data objects and
    their frame refer to each other, so the frame read would keep its pixels (and the
    decoder's buffer pool) until Python's cycle collector runs, ~35 MiB per 720p source.
    """
    tiny = frame.reformat(width=16, height=16, format="gray", interpolation="POINT")
    side_data = tiny.side_data.get("DISPLAYMATRIX")  # 0.08 ms a 1080p frame (bicubic: 1.4)
    if side_data is None or side_data.buffer_size < 36:
        return None
    return np.frombuffer(bytes(side_data), "<i4", count=9)


def open_video(path: str, notes: list | None = None):
    """Opens a video with PyAV; metadata that is not UTF-8 is read with replacements."""
    try:
        try:
            return av.open(path)
        except UnicodeDecodeError:
            if notes is not None:
                notes.append(NON_UTF8_METADATA_NOTE)
            return av.open(path, metadata_errors="replace")
    except AV_ERRORS as error:
        raise DecodeError(f"{path}: cannot open as video ({error})") from error


def _decoded(container, stream, errors: list):
    """Yields decoded frames; skips packets the decoder rejects, stops at unreadable data."""
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.FFmpegError as error:
                errors.append(str(error))
                continue
            yield from frames
    except AV_ERRORS as error:  # e.g. a truncated file: keep what the decoder holds
        errors.append(str(error))
        try:
            yield from stream.codec_context.decode(None)
        except AV_ERRORS:
            pass


class VideoStream:
    """One open video stream: its frames in decode order, from the start or a seek."""

    def __init__(self, path: str):
        self.path, self.errors, self.container = path, [], None
        self.restart()

    def restart(self) -> None:
        """Reopens the file, so frames run again from its first one."""
        self.close()
        self.container = open_video(self.path)
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"  # FFmpeg's frame + slice threads
        self.frames = _decoded(self.container, self.stream, self.errors)

    def seek(self, seconds: float) -> None:
        """Seeks to the keyframe at or before `seconds` of the file's clock; may raise."""
        self.container.seek(int(math.floor(seconds / float(self.stream.time_base))),
                            stream=self.stream, backward=True, any_frame=False)
        self.frames = _decoded(self.container, self.stream, self.errors)

    def close(self) -> None:
        if self.container is not None:
            self.container.close()
            self.container = None


def seek_or_fall_back(video: VideoStream, target, origin, frame_time, resume, now):
    """Seeks to the keyframe before `target` s (from the first frame), for the caller's
    loop to decode on from; returns (may seek again, where the frames now decoded began).

    A seek the demuxer refuses (FFmpeg answers EPERM when its index has no keyframe at
    or before the target) or one that lands after `target` (an imprecise index) falls
    back to decoding forward from the last good position: the keyframe of the last seek
    that worked, else the file's start. The caller skips the frames it has seen, so the
    frames returned are those of a decode without seeking. No further seeks are tried.
    """
    try:
        video.seek(target + origin)
        first = next(video.frames, None)
        if first is not None and frame_time(first) <= target:
            video.frames = itertools.chain([first], video.frames)
            return True, target
        landed = "the end" if first is None else f"{frame_time(first):.3f} s"
        reason = f"seeking to {target:.3f} s landed at {landed}"
    except AV_ERRORS as error:
        reason = f"seeking to {target:.3f} s failed ({error})"
    video.errors.append(reason)
    logging.info("%s: %s; decoding forward from %s instead (now at %.3f s)", video.path,
                 reason, "the start" if resume is None else f"{resume:.3f} s", now)
    if resume is not None:
        try:
            video.seek(resume + origin)  # this very seek worked before
            return False, resume
        except AV_ERRORS as error:
            video.errors.append(f"seeking back to {resume:.3f} s failed ({error})")
    video.restart()
    return False, None
