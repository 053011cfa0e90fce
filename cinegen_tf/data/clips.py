"""The paper's clip rules for real cinemagraphs (Sec. 4.2, 5.3).

- A clip lasts at most `CLIP_SECONDS` (1 s): a source of duration D <= 1 s is one clip
  of length D; otherwise clips are 1 s long.
- A source of at most `LONG_SOURCE_SECONDS` (3 s) gives one clip, from its start.
- A longer source gives two or three 1-s clips "with a maximum margin": the first starts
  at 0, the last ends at D, and the others are evenly spaced between, which maximises
  the smallest gap between clips. The paper leaves 2 vs 3 open; we take 3 when the gaps
  between three clips would still be at least 1 s, i.e. D >= `THREE_CLIPS_SECONDS` (5 s),
  and 2 for 3 s < D < 5 s (gap D - 2 > 1 s), so no two clips of a source are ever less
  than 1 s apart (the paper cuts clips to avoid "movement replication").
- An example is `NUM_FRAMES` (6) frames, 1 input + 5 to generate, sampled evenly across
  the clip: frame k shows the source at `start + k * clip_length / 6`, the left edges of
  6 equal slots, so a 1-s clip at 25 fps gives source frames 0, 4, 8, 12, 16, 20.
- A clip whose 6 samples all fall on one source frame shows no motion and is dropped.
- Split (Sec. 5.3, 0.85 / 0.15): a function of a hash of `category/name` only, so every
  clip of a source lands in the same split and adding a source moves no other.
"""
import dataclasses
import hashlib

import numpy as np

CLIP_SECONDS = 1.0
LONG_SOURCE_SECONDS = 3.0
THREE_CLIPS_SECONDS = 5.0
NUM_FRAMES = 6
TRAIN_FRACTION = 0.85
SPLITS = ("train", "test")
# A time this close before a frame's start counts as that frame (float sums such as
# 0.1 + 0.2 must not pick the previous frame).
TIME_EPSILON = 1e-6


def frame_indices(timestamps, times) -> np.ndarray:
    """`(K,)` int64: index of the frame showing at each of `times` (seconds).

    Frame i shows from `timestamps[i]` until the next frame starts; times before the
    first frame get frame 0.
    """
    indices = np.searchsorted(np.asarray(timestamps, np.float64),
                              np.asarray(times, np.float64) + TIME_EPSILON, "right") - 1
    return np.maximum(indices, 0)


@dataclasses.dataclass(frozen=True)
class ClipPlan:
    """Where one clip of a source lies and which times it samples.

    Attributes:
        index: the clip's position among its source's clips (0, 1, 2).
        start: seconds from the source's first frame.
        length: seconds, at most `CLIP_SECONDS`.
        frame_times: `(NUM_FRAMES,)` float64 seconds from the source's first frame.
    """
    index: int
    start: float
    length: float
    frame_times: np.ndarray


def num_clips(duration: float) -> int:
    """How many clips a source of `duration` seconds gives (1, 2 or 3)."""
    if not np.isfinite(duration) or duration <= 0:
        raise ValueError(f"source duration must be a positive number of seconds, got {duration!r}")
    if duration <= LONG_SOURCE_SECONDS:
        return 1
    return 3 if duration >= THREE_CLIPS_SECONDS else 2


def clip_starts(duration: float) -> np.ndarray:
    """`(num_clips,)` float64 start times in seconds, as far apart as the source allows."""
    count = num_clips(duration)
    if count == 1:
        return np.zeros(1)
    return np.linspace(0.0, duration - CLIP_SECONDS, count)


def sample_times(start: float, length: float, num_frames: int = NUM_FRAMES) -> np.ndarray:
    """`(num_frames,)` float64: the left edges of `num_frames` equal slots of the clip."""
    return start + np.arange(num_frames) * (length / num_frames)


def plan_clips(timestamps, duration: float) -> tuple[list[ClipPlan], list[str]]:
    """Applies the clip rules to one source.

    Args:
        timestamps: `(N,)` start times in seconds of the source's frames, ascending, first 0.
        duration: the source's duration in seconds (end of its last frame).

    Returns:
        `(clips, dropped)`: the clips to sample, and one reason per clip dropped for
        showing a single frame. A source with fewer than 2 frames or no duration gives
        no clips and one reason.
    """
    timestamps = np.asarray(timestamps, np.float64)
    if len(timestamps) < 2:
        return [], [f"single frame ({len(timestamps)} decodable): nothing moves"]
    if not np.isfinite(duration) or duration <= 0:
        return [], [f"zero duration ({duration!r} s)"]
    length = min(CLIP_SECONDS, duration)
    clips, dropped = [], []
    for index, start in enumerate(clip_starts(duration)):
        times = sample_times(float(start), length)
        frames = frame_indices(timestamps, times)
        if len(np.unique(frames)) < 2:
            dropped.append(f"clip {index} at {start:.2f} s: all {NUM_FRAMES} samples show "
                           f"source frame {frames[0]}")
            continue
        clips.append(ClipPlan(index, float(start), float(length), times))
    return clips, dropped


def split_for_source(category: str, name: str, train_fraction: float = TRAIN_FRACTION) -> str:
    """"train" or "test" for a source, from SHA-256 of "category/name" (stable everywhere).

    Args:
        category: the source's category, e.g. "fire".
        name: the source's file or folder name inside its category folder.
        train_fraction: share of sources in "train" (0.85, Sec. 5.3).
    """
    if not 0.0 <= train_fraction <= 1.0:
        raise ValueError(f"train_fraction must lie in [0, 1], got {train_fraction!r}")
    digest = hashlib.sha256(f"{category}/{name}".encode("utf-8")).digest()
    unit = int.from_bytes(digest[:8], "big") / 2.0**64  # uniform in [0, 1)
    return "train" if unit < train_fraction else "test"
