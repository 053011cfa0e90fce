"""Stimuli of the human study (Sec. 5.7, Table 6): real test clips and each method's
cinemagraph from their first frame, encoded alike, with a manifest.

    study_dir/
      manifest.json     the study: methods (workdir, checkpoint, step), clips, encoding
      stimuli/<hash>.gif

For every clip of the real test split (`real_cinemagraphs`, centre 64x64 crop, as
evaluation sees it) the study holds:
  - "real": the clip itself (6 frames);
  - one cinemagraph per method: its first frame followed by the frames the method
    generates from it (greedy actions, the paper's argmax), as many as the real clip has;
  - "broken": the attention check's obviously broken clip (upside down, colours
    inverted, frames shuffled, blocks of noise).
Every file has the same size, frame count, frame rate, looping and format (GIF, looping
forever, one palette per file; identical consecutive frames, as the constant baseline
makes, are stored as one longer frame, which plays the same). Files are named by a hash of (study seed, clip, method)
so a participant cannot read a method's name from a page's source.

Methods are whatever workdirs are given (`{"rnn": "runs/fire_rnn", ...}`); "constant"
needs none. A method's key names it in the report; keys the paper uses get the paper's
labels (`LABELS`).
"""
import dataclasses
import hashlib
import json
import os
import re

import numpy as np

from cinegen_tf.inference import writers

MANIFEST = "manifest.json"
STIMULI_DIR = "stimuli"
FORMAT = 1
REAL, BROKEN = "real", "broken"
CATEGORIES = ("water_flowing", "fire")  # real_cinemagraphs' category ids 0, 1
LABELS = {"mathieu": "Mathieu et al. [17]", "rnn": "RNN", "rnn_dqn": "RNN+DQN",
          "constant": "Constant", "layered": "Ours: layered (not in the paper)"}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclasses.dataclass
class Clip:
    """One real test clip.

    Attributes:
      id: short id unique in the study ("c000", ...).
      category: "water_flowing" or "fire".
      source, clip_index, clip_start: where it comes from (real_cinemagraphs' features).
      frames: uint8 (T, S, S, 3).
    """
    id: str
    category: str
    source: str
    clip_index: int
    clip_start: float
    frames: np.ndarray


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


def read_test_clips(data_dir=None, categories=CATEGORIES, split="test", max_clips=None):
    """The clips of the prepared real_cinemagraphs/all `split`, centre-cropped to 64x64.

    Args:
      data_dir: TFDS data_dir (None: TFDS's default).
      categories: keep clips of these categories.
      split: TFDS split.
      max_clips: keep at most this many per category (in stored order), None for all.

    Returns:
      a list of `Clip`, frames uint8 (6, 64, 64, 3).
    """
    import ml_collections
    from cinegen_tf.data import real_pipeline

    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)}; known: {CATEGORIES}")
    config = ml_collections.ConfigDict({"category": "all", "data_dir": data_dir})
    clips, per_category = [], {c: 0 for c in categories}
    for batch in real_pipeline.real_dataset(config, split, batch_size=1, data_dir=data_dir):
        category = CATEGORIES[int(batch["category"][0])]
        if category not in per_category or (max_clips is not None
                                            and per_category[category] >= max_clips):
            continue
        per_category[category] += 1
        video = ((batch["video"][0].numpy() + 1.0) * 127.5).round().clip(0, 255)
        clips.append(Clip(id=f"c{len(clips):03d}", category=category,
                          source=batch["source"][0].numpy().decode(),
                          clip_index=int(batch["clip_index"][0]),
                          clip_start=float(batch["clip_start"][0]),
                          frames=video.astype(np.uint8)))
    if not clips:
        raise ValueError(f"no {split} clips of {list(categories)} in real_cinemagraphs/all "
                         f"(data_dir {data_dir})")
    return clips


def broken_frames(frames, seed):
    """The attention check's obviously broken version of a clip.

    Args:
      frames: uint8 (T, H, W, 3).
      seed: int; the same seed gives the same clip.

    Returns:
      uint8 (T, H, W, 3): upside down, colours inverted, frames in shuffled order, and a
      quarter of each frame's 8x8 blocks replaced by noise.
    """
    rng = np.random.default_rng(seed)
    out = 255 - np.asarray(frames)[:, ::-1][rng.permutation(len(frames))]
    t, h, w, _ = out.shape
    blocks = rng.random((t, -(-h // 8), -(-w // 8))) < 0.25
    mask = np.repeat(np.repeat(blocks, 8, axis=1), 8, axis=2)[:, :h, :w]
    noise = rng.integers(0, 256, out.shape, dtype=np.uint8)
    return np.where(mask[..., None], noise, out).astype(np.uint8)


def generate_frames(workdir, method, first_frames, num_frames, batch_size=16):
    """Each method's cinemagraph from a batch of first frames.

    Args:
      workdir: a trained workdir or checkpoint prefix (None for "constant").
      method: the method's key (only "constant" may have no workdir).
      first_frames: uint8 (N, S, S, 3).
      num_frames: frames of each output, the first frame included.

    Returns:
      (frames uint8 (N, num_frames, S, S, 3), info dict: method, checkpoint, step).
    """
    import tensorflow as tf
    from cinegen_tf.evaluation import eval_lib
    from cinegen_tf.models.constant import ConstantBaseline
    from cinegen_tf.training import checkpoints

    first = np.asarray(first_frames)
    if workdir is None:
        generate, info = ConstantBaseline().rollout, {"method": "constant", "checkpoint": None,
                                                       "step": None}
    else:
        generator, config = checkpoints.load_generator(workdir)
        size = int(config.model.image_size)
        if first.shape[1:3] != (size, size):
            raise ValueError(f"{workdir}: its model makes {size}x{size} frames, the clips are "
                             f"{first.shape[2]}x{first.shape[1]}")
        prefix, _ = checkpoints.resolve_checkpoint(workdir)
        generate = eval_lib.make_generate(generator, config)
        info = {"method": str(config.method), "checkpoint": prefix,
                "step": eval_lib.checkpoint_step(prefix)}
    out = []
    for start in range(0, len(first), batch_size):
        images = tf.constant(first[start:start + batch_size], tf.float32) / 127.5 - 1.0
        rest = np.asarray(generate(images, num_frames - 1), np.float32)
        rest = ((rest + 1.0) * 127.5).round().clip(0, 255).astype(np.uint8)
        out.append(np.concatenate([first[start:start + batch_size, None], rest], axis=1))
    return np.concatenate(out), info


def stimulus_name(seed, clip_id, key):
    """The opaque file name of one stimulus: 16 hex digits of SHA-256 + ".gif"."""
    return hashlib.sha256(f"{seed}/{clip_id}/{key}".encode()).hexdigest()[:16] + ".gif"


def write_study(study_dir, name, clips, method_frames, method_info, *, fps=6.0, seed=0,
                display_size=256, extra=None):
    """Writes every stimulus and the manifest.

    Args:
      study_dir: folder (created); must not hold a manifest yet.
      name: the study's name (letters, digits, _ and -): names the report files.
      clips: list of `Clip`, all of one shape (T, S, S, 3).
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
        videos = {REAL: clip.frames, BROKEN: broken_frames(clip.frames, [seed, i])}
        videos.update({key: frames[i] for key, frames in method_frames.items()})
        stimuli = {}
        for key, frames in videos.items():
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


def prepare(study_dir, name, methods, *, data_dir=None, categories=CATEGORIES, split="test",
            max_clips=None, fps=6.0, seed=0, display_size=256, design=None, clips=None):
    """Prepares a study: reads the real test clips, runs every method, writes it all.

    Args:
      study_dir, name, fps, seed, display_size: see `write_study`.
      methods: {key: workdir or None} (`parse_methods`).
      data_dir, categories, split, max_clips: see `read_test_clips`.
      design: the experiments' design (cinegen_tf.study.trials.DEFAULT_DESIGN's fields).
      clips: use these `Clip`s instead of reading the real test split.

    Returns:
      the manifest dict.
    """
    if clips is None:
        clips = read_test_clips(data_dir, categories, split, max_clips)
    first = np.stack([c.frames[0] for c in clips])
    num_frames = clips[0].frames.shape[0]
    method_frames, method_info = {}, {}
    for key, workdir in methods.items():
        method_frames[key], info = generate_frames(workdir, key, first, num_frames)
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
