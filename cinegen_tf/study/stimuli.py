"""Stimuli of the human study (Sec. 5.7, Table 6): the study folder, its encoded files
and their manifest.

    study_dir/
      manifest.json     the study: methods (workdir, checkpoint, step), clips, encoding
      stimuli/<hash>.gif

`prepare` takes the videos of `cinegen_tf.study.videos` (every real test clip, each
method's cinemagraph from its first frame, the attention check's broken clip) and writes
one file per (clip, "real" | method | "broken"). Every file has the same size, frame
count, frame rate, looping and format (GIF, looping forever, one palette per file;
identical consecutive frames, as the constant baseline makes, are stored as one longer
frame, which plays the same). Files are named by a hash of (study seed, clip, method) so
a participant cannot read a method's name from a page's source.

Methods are whatever workdirs are given (`{"rnn": "runs/fire_rnn", ...}`); "constant"
needs none. A method's key names it in the report; keys the paper uses get the paper's
labels (`LABELS`).
"""
import hashlib
import json
import os
import re

import numpy as np

from cinegen_tf.inference import writers
from cinegen_tf.study import videos

MANIFEST = "manifest.json"
STIMULI_DIR = "stimuli"
FORMAT = 1
REAL, BROKEN = "real", "broken"
LABELS = {"mathieu": "Mathieu et al. [17]", "rnn": "RNN", "rnn_dqn": "RNN+DQN",
          "constant": "Constant", "layered": "Ours: layered (not in the paper)"}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def parse_methods(specs):
    """["rnn=runs/a", "rnn_dqn=runs/b", "constant"] -> {"rnn": "runs/a", ..., "constant": None}.

    Raises:
      ValueError: a malformed or repeated key, a reserved key, a missing workdir.
    """
    methods = {}
    for spec in specs:
        key, _, workdir = spec.partition("=")
        key = key.strip()
        if not _KEY.match(key) or key in (REAL, BROKEN):
            raise ValueError(f"method {spec!r}: the key must be lower-case letters, digits or "
                             f"_ (not {REAL!r} / {BROKEN!r}), e.g. rnn_dqn=runs/fire_rnn_dqn")
        if key in methods:
            raise ValueError(f"method {key!r} given twice")
        if not workdir and key != "constant":
            raise ValueError(f"method {spec!r}: give its workdir, {key}=DIR")
        methods[key] = workdir or None
    if not methods:
        raise ValueError("give at least one method")
    return methods


def stimulus_name(seed, clip_id, key):
    """The opaque file name of one stimulus: 16 hex digits of SHA-256 + ".gif"."""
    return hashlib.sha256(f"{seed}/{clip_id}/{key}".encode()).hexdigest()[:16] + ".gif"


def write_study(study_dir, name, clips, method_frames, method_info, *, fps=6.0, seed=0,
                display_size=256, extra=None):
    """Writes every stimulus and the manifest.

    Args:
      study_dir: folder (created); must not hold a manifest yet.
      name: the study's name (letters, digits, _ and -): names the report files.
      clips: list of `videos.Clip`, all of one shape (T, S, S, 3).
      method_frames: {key: uint8 (len(clips), T, S, S, 3)}, in the order methods are
        listed in the report.
      method_info: {key: dict} recorded per method (workdir, checkpoint, step, ...).
      fps: frames per second of every file.
      seed: decides the file names and the broken clips.
      display_size: pixels each stimulus is shown at (the files stay at S x S).
      extra: more top-level manifest fields (e.g. the data it came from).

    Returns:
      the manifest dict.
    """
    if not re.match(r"^[A-Za-z0-9_-]{1,64}$", name):
        raise ValueError(f"study name {name!r}: use letters, digits, _ and - only")
    if os.path.exists(os.path.join(study_dir, MANIFEST)):
        raise FileExistsError(f"{study_dir} already holds a study ({MANIFEST}); choose a new "
                              f"folder")
    if not clips:
        raise ValueError("no clips")
    shape = clips[0].frames.shape
    for clip in clips:
        if clip.frames.shape != shape or clip.frames.dtype != np.uint8:
            raise ValueError(f"clip {clip.id}: frames {clip.frames.dtype} {clip.frames.shape}, "
                             f"expected uint8 {shape}")
    for key, frames in method_frames.items():
        if frames.shape != (len(clips),) + shape:
            raise ValueError(f"method {key}: frames {frames.shape}, expected "
                             f"{(len(clips),) + shape}")
    folder = os.path.join(study_dir, STIMULI_DIR)
    os.makedirs(folder, exist_ok=True)
    entries = []
    for i, clip in enumerate(clips):
        shown = {REAL: clip.frames, BROKEN: videos.broken_frames(clip.frames, [seed, i])}
        shown.update({key: frames[i] for key, frames in method_frames.items()})
        stimuli = {}
        for key, frames in shown.items():
            stimuli[key] = stimulus_name(seed, clip.id, key)
            writers.write_cinemagraph(frames, os.path.join(folder, stimuli[key]), fps=fps)
        entries.append({"id": clip.id, "category": clip.category, "source": clip.source,
                        "clip_index": clip.clip_index, "clip_start": clip.clip_start,
                        "stimuli": stimuli})
    manifest = {
        "format": FORMAT, "name": name, "seed": int(seed),
        "encoding": {"format": "gif", "size": [int(shape[2]), int(shape[1])],
                     "num_frames": int(shape[0]), "fps": float(fps), "loop": "forever",
                     "display_size": int(display_size)},
        "methods": [{"key": key, "label": LABELS.get(key, key), **method_info.get(key, {})}
                    for key in method_frames],
        "clips": entries,
        **(extra or {}),
    }
    tmp = os.path.join(study_dir, MANIFEST + ".tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(study_dir, MANIFEST))
    return manifest


def prepare(study_dir, name, methods, *, data_dir=None, categories=videos.CATEGORIES,
            split="test", max_clips=None, fps=6.0, seed=0, display_size=256, design=None,
            clips=None):
    """Prepares a study: reads the real test clips, runs every method, writes it all.

    Args:
      study_dir, name, fps, seed, display_size: see `write_study`.
      methods: {key: workdir or None} (`parse_methods`).
      data_dir, categories, split, max_clips: see `videos.read_test_clips`.
      design: the experiments' design (cinegen_tf.study.trials.DEFAULT_DESIGN's fields).
      clips: use these `videos.Clip`s instead of reading the real test split.

    Returns:
      the manifest dict.
    """
    if clips is None:
        clips = videos.read_test_clips(data_dir, categories, split, max_clips)
    first = np.stack([c.frames[0] for c in clips])
    num_frames = clips[0].frames.shape[0]
    method_frames, method_info = {}, {}
    for key, workdir in methods.items():
        method_frames[key], info = videos.generate_frames(workdir, key, first, num_frames)
        method_info[key] = {"workdir": None if workdir is None else os.path.abspath(workdir),
                            **info, "temperature": 0.0, "seed": None}
    return write_study(study_dir, name, clips, method_frames, method_info, fps=fps, seed=seed,
                       display_size=display_size,
                       extra={"design": dict(design or {}),
                              "data": {"dataset": "real_cinemagraphs/all", "split": split,
                                       "data_dir": None if data_dir is None
                                       else os.path.abspath(data_dir)}})


def load_manifest(study_dir):
    """The manifest of the study in `study_dir`, checked for the fields the app uses.

    Raises:
      FileNotFoundError / ValueError naming the problem.
    """
    path = os.path.join(study_dir, MANIFEST)
    with open(path) as f:
        manifest = json.load(f)
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: manifest format {manifest.get('format')!r}, expected "
                         f"{FORMAT}")
    keys = [m["key"] for m in manifest["methods"]]
    for clip in manifest["clips"]:
        missing = set(keys + [REAL, BROKEN]) - set(clip["stimuli"])
        if missing:
            raise ValueError(f"{path}: clip {clip['id']} lacks stimuli {sorted(missing)}")
    return manifest
