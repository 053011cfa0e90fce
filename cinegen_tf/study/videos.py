"""The videos of the human study (Sec. 5.7, Table 6): the real test clips, each method's
cinemagraph of a clip's first frame, and the attention check's broken clip, as frames.

For every clip of the real test split (`real_cinemagraphs`, centre 64x64 crop, as
evaluation sees it) the study shows:
  - the clip itself (`read_test_clips`, 6 frames);
  - one cinemagraph per method (`generate_frames`): its first frame followed by the
    frames the method generates from it (greedy actions, the paper's argmax), as many as
    the real clip has;
  - the attention check's obviously broken clip (`broken_frames`: upside down, colours
    inverted, frames shuffled, blocks of noise).
`cinegen_tf.study.stimuli` encodes them into the study folder.
"""
import dataclasses

import numpy as np

CATEGORIES = ("water_flowing", "fire")  # real_cinemagraphs' category ids 0, 1


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
