"""The motion model's training data: real clips -> windows -> targets, computed once and
cached as one .npz per split (ours, not in the paper).

    prepare(manual_dir, split, cache_dir) -> list of `targets.Targets`

Sources and their train/test split are those of the real-cinemagraph builder
(`cinegen_tf.data.real_sources`, SHA-256 of the source name, 85% train), so the motion
model never sees a test-split source. Each source gives up to `WINDOWS_PER_SOURCE`
one-second windows spread evenly over its duration, read at 160 px wide, aspect kept.
"""
import concurrent.futures
import io
import pathlib

import numpy as np
from absl import logging

from cinegen_tf.data import image_io, real_sources, video_io
from cinegen_tf.training.checkpoints import write_atomically
from cinegen_tf.motion import targets

WINDOWS_PER_SOURCE = 4
WINDOW_SECONDS = 1.0
FIELDS = ("photo", "moving", "velocity", "sway", "flicker")
VERSION = 2


def read_window(path, timeline, start, seconds=WINDOW_SECONDS, width=targets.WIDTH):
    """Frames of `[start, start + seconds)` of a source and their rate.

    Returns:
      (uint8 (T, h, w, 3) at `width` px wide, fps), every source frame in the window.
    """
    stamps = timeline.timestamps
    chosen = stamps[(stamps >= start - 1e-6) & (stamps < start + seconds - 1e-6)]
    if len(chosen) < 2:
        raise video_io.DecodeError(f"{path}: fewer than 2 frames in {seconds} s at {start:.2f} s")
    fps = (len(chosen) - 1) / max(chosen[-1] - chosen[0], 1e-6)
    frames, _ = video_io.read_frames_at(path, chosen + 1e-4, size=image_io.Width(width),
                                        timeline=timeline)
    return frames, float(fps)


def window_starts(duration, count=WINDOWS_PER_SOURCE, seconds=WINDOW_SECONDS):
    """Evenly spread starts of up to `count` windows of a source `duration` s long."""
    last = max(0.0, duration - seconds)
    return np.linspace(0.0, last, count if last > seconds else 1)


def _source_targets(path):
    timeline = video_io.probe(path)
    out = []
    for start in window_starts(timeline.duration):
        frames, fps = read_window(path, timeline, float(start))
        out.append(targets.window_targets(frames, fps))
    return out


def find(manual_dir, split):
    """The sources of `split` ("train" or "test") under a real-cinemagraph manual_dir."""
    sources = real_sources.find_sources(pathlib.Path(manual_dir), real_sources.CATEGORIES,
                                        real_sources.SkipLog())
    return [s for s in sources if s.split == split]


def prepare(manual_dir, split, cache_dir, workers=2):
    """Targets of every window of `split`, from `cache_dir` if computed before.

    Returns:
      list of `targets.Targets` (photos of different sizes: keep them apart).
    """
    cache = pathlib.Path(cache_dir) / f"motion_targets_v{VERSION}_{split}.npz"
    if cache.exists():
        with np.load(cache) as data:
            count = int(data["count"])
            return [targets.Targets(**{f: data[f"{i}_{f}"] for f in FIELDS})
                    for i in range(count)]
    sources = find(manual_dir, split)
    if not sources:
        raise ValueError(f"{manual_dir}: no {split}-split sources in water/ or fire/")
    windows = []
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        for source, result in zip(sources, pool.map(_source_targets, [s.path for s in sources])):
            logging.info("%s: %d windows", source.label, len(result))
            windows.extend(result)
    arrays = {f"{i}_{f}": getattr(w, f) for i, w in enumerate(windows) for f in FIELDS}
    buffer = io.BytesIO()
    np.savez(buffer, count=len(windows), **arrays)
    write_atomically(cache, buffer.getvalue())
    return windows
