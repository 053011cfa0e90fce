"""From a folder of real cinemagraphs to sampled 6-frame clips (Sec. 4.2, 5.3).

The manual_dir layout (what `datasets/real_cinemagraphs` reads):

    <manual_dir>/water_flowing/   (or water/)   one GIF/video file or frame folder per source
    <manual_dir>/fire/

Three steps, each a plain function so the TFDS builder and the benchmark share them:
`find_sources` lists the sources of the requested categories; `plan_sources` probes each
(`video_io.probe`) and applies the clip rules (`clips.plan_clips`); `sample_sources`
decodes the planned frames. Sources are probed and decoded in a thread pool (PyAV and
Pillow release the GIL while decoding). Nothing here stops on a bad source: each skipped
file or clip becomes a `Skip(path, reason)` kept by a `SkipLog`, which also logs it.
"""
import collections
import concurrent.futures
import dataclasses
import os
import pathlib
import threading

from absl import logging

from cinegen_tf.data import clips
from cinegen_tf.data import image_io
from cinegen_tf.data import video_io

CATEGORIES = ("water_flowing", "fire")
# Folder names accepted for each category, in order of preference.
CATEGORY_FOLDERS = {"water_flowing": ("water_flowing", "water"), "fire": ("fire",)}
FRAME_SIZE = 72  # stored side; training crops 64x64 from it (cinegen_tf.data.augment)


@dataclasses.dataclass(frozen=True)
class Source:
    """One cinemagraph: a file or a frame folder inside a category folder."""
    category: str
    name: str
    path: pathlib.Path

    @property
    def split(self) -> str:
        return clips.split_for_source(self.category, self.name)

    @property
    def label(self) -> str:
        return f"{self.category}/{self.name}"


@dataclasses.dataclass(frozen=True)
class Skip:
    """A file or clip left out, with why. `source` is None for files that are not sources."""
    path: str
    reason: str
    source: Source | None = None


@dataclasses.dataclass(frozen=True)
class SourcePlan:
    """A probed source and the clips to sample from it."""
    source: Source
    timeline: video_io.Timeline
    clips: tuple[clips.ClipPlan, ...]


@dataclasses.dataclass(frozen=True)
class SampledClip:
    """One example: `frames` `(6, size, size, 3)` uint8; `timestamps` `(6,)` float64 seconds."""
    plan: SourcePlan
    clip: clips.ClipPlan
    frames: object
    timestamps: object


class SkipLog:
    """Thread-safe record of every skip; logs each one as it happens."""

    def __init__(self):
        self._skips, self._lock = [], threading.Lock()

    def add(self, path, reason: str, source: Source | None = None) -> None:
        logging.warning("real cinemagraphs: skipped %s: %s", path, reason)
        with self._lock:
            self._skips.append(Skip(str(path), reason, source))

    def skips(self, split: str | None = None) -> list[Skip]:
        """Every skip, or those of sources (and stray files) whose name hashes to `split`."""
        with self._lock:
            skips = list(self._skips)
        if split is None:
            return skips
        return [s for s in skips if s.source is None or s.source.split == split]

    def summary(self, split: str | None = None) -> str:
        skips = self.skips(split)
        lines = [f"{len(skips)} skipped" + (":" if skips else "")]
        lines += [f"  {s.path}: {s.reason}" for s in skips]
        return "\n".join(lines)


def category_folder(manual_dir: pathlib.Path, category: str) -> pathlib.Path:
    """The one folder holding `category`'s sources; ValueError naming what is wrong."""
    if category not in CATEGORY_FOLDERS:
        raise ValueError(f"unknown category {category!r}; expected one of {CATEGORIES}")
    found = [manual_dir / n for n in CATEGORY_FOLDERS[category] if (manual_dir / n).is_dir()]
    if not found:
        names = " or ".join(f"{n}/" for n in CATEGORY_FOLDERS[category])
        raise ValueError(f"{manual_dir}: no folder {names} for category {category!r}")
    if len(found) > 1:
        raise ValueError(f"{manual_dir}: both {found[0].name}/ and {found[1].name}/ hold "
                         f"{category!r} sources; merge them into {found[0].name}/")
    return found[0]


def find_sources(manual_dir, categories, skip_log: SkipLog) -> list[Source]:
    """Lists the sources of `categories`, sorted by (category, natural name order).

    A supported file or a folder holding frame files is a source; hidden files are
    ignored; anything else is logged as skipped.
    """
    manual_dir = pathlib.Path(manual_dir)
    sources = []
    for category in categories:
        folder = category_folder(manual_dir, category)
        for path in sorted(folder.iterdir(), key=lambda p: image_io.natural_key(p.name)):
            if path.name.startswith("."):
                continue
            source = Source(category, path.name, path)
            try:
                video_io.source_kind(path)
            except video_io.DecodeError as error:
                skip_log.add(path, str(error).removeprefix(f"{path}: "), source)
                continue
            sources.append(source)
    return sources


def plan_source(source: Source, skip_log: SkipLog) -> SourcePlan | None:
    """Probes one source and plans its clips; None (and a logged skip) if it gives none."""
    try:
        timeline = video_io.probe(source.path)
    except video_io.DecodeError as error:
        skip_log.add(source.path, str(error).removeprefix(f"{source.path}: "), source)
        return None
    for note in timeline.notes:
        logging.info("real cinemagraphs: %s: converted: %s", source.path, note)
    planned, dropped = clips.plan_clips(timeline.timestamps, timeline.duration)
    for reason in dropped:
        skip_log.add(source.path, reason, source)
    return SourcePlan(source, timeline, tuple(planned)) if planned else None


def sample_source(plan: SourcePlan, skip_log: SkipLog, size: int = FRAME_SIZE,
                  seek: bool = True) -> list[SampledClip]:
    """Decodes every planned clip of one source in a single pass over the file."""
    times = [t for clip in plan.clips for t in clip.frame_times]
    try:
        frames, stamps = video_io.read_frames_at(plan.source.path, times, size=size,
                                                 timeline=plan.timeline, seek=seek)
    except video_io.DecodeError as error:
        skip_log.add(plan.source.path,
                     str(error).removeprefix(f"{plan.source.path}: "), plan.source)
        return []
    n = clips.NUM_FRAMES
    return [SampledClip(plan, clip, frames[i * n:(i + 1) * n], stamps[i * n:(i + 1) * n])
            for i, clip in enumerate(plan.clips)]


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def ordered_map(fn, items, workers: int | None = None):
    """Yields `fn(item)` in order, at most `2 * workers` computed ahead (bounded memory)."""
    workers = workers or default_workers()
    if workers == 1:
        yield from map(fn, items)
        return
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        pending = collections.deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def plan_sources(sources, skip_log: SkipLog, workers: int | None = None) -> list[SourcePlan]:
    """`plan_source` over `sources` in parallel; sources with no clips are left out."""
    plans = ordered_map(lambda s: plan_source(s, skip_log), sources, workers)
    return [plan for plan in plans if plan is not None]


def sample_sources(plans, skip_log: SkipLog, size: int = FRAME_SIZE,
                   workers: int | None = None, seek: bool = True):
    """Yields every `SampledClip` of `plans`, in plan order, decoding in parallel."""
    for sampled in ordered_map(lambda p: sample_source(p, skip_log, size, seek), plans,
                               workers):
        yield from sampled
