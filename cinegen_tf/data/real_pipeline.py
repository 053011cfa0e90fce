"""tf.data pipeline over the prepared real_cinemagraphs TFDS data (Sec. 5.3).

Examples are stored as `(6, 72, 72, 3)` uint8 (`datasets/real_cinemagraphs`); this turns
them into batches of `(B, 6, 64, 64, 3)` float32 in [-1, 1]:

- training: shuffled (a full-split buffer, reshuffled every epoch), repeated forever,
  each clip cropped at one random 64x64 window and flipped left-right with probability
  1/2, the same for all its frames (`augment.augment_clip`); batches of exactly B;
- evaluation: one pass in stored order, centre 64x64 crop, the last batch may be short.

The stream is a pure function of `seed`: shuffling is seeded, and clip n of the stream
(counted from the start of training) draws its crop and flip from seed `(seed, n)`.
`start_step=k` starts at batch k of that same stream, skipping still-encoded records,
so a resumed run sees the batches an uninterrupted one would have.
"""
import tensorflow as tf
import tensorflow_datasets as tfds

from cinegen_tf.data import augment
from cinegen_tf.data import clips
from cinegen_tf.data import prepared
from cinegen_tf.data import sharding

DATASET_NAME = "real_cinemagraphs"
CATEGORIES = ("water_flowing", "fire", "all")
IMAGE_SIZE = 64


def prepared_builder(category: str, data_dir=None) -> tfds.core.DatasetBuilder:
    """The prepared `real_cinemagraphs/<category>` (newest version) in `data_dir`.

    Reads the files TFDS wrote, so the builder code need not be importable.

    Raises:
        ValueError: unknown category.
        FileNotFoundError: nothing prepared there; the message says how to build it.
    """
    if category not in CATEGORIES:
        raise ValueError(f"real data category must be one of {CATEGORIES}, got {category!r}")
    return prepared.prepared_builder(
        DATASET_NAME, category, data_dir,
        f"tfds build datasets/{DATASET_NAME} --config={category} "
        f"--manual_dir=<folder with water_flowing/ and fire/> --data_dir={{data_dir}}")


def real_dataset(data_config, split: str, *, batch_size: int, seed: int = 0,
                 training: bool = False, data_dir=None, start_step: int = 0,
                 shard=None) -> tf.data.Dataset:
    """Batches of real cinemagraph clips.

    Args:
        data_config: ConfigDict-like with `category` (water_flowing, fire or all) and
            optionally `data_dir` (used when `data_dir` is None; TFDS's default else).
        split: a TFDS split of the prepared data, e.g. "train", "test", "train[:10%]".
        batch_size: clips per batch.
        seed: seeds the shuffle order and the crops/flips.
        training: random crop + flip, shuffled, infinite; else centre crop, one pass.
        data_dir: where the prepared TFDS data lives.
        start_step: number of batches of the stream to skip.
        shard: None, or (index, count) with training: this replica's rows of each global
            batch of count * batch_size (cinegen_tf.data.sharding), the others dropped
            before decoding; start_step counts global batches. Crops and flips keep the
            clip's number in the global stream, so they match an unsharded run's.

    Returns:
        A dataset of `{"video": (B, 6, 64, 64, 3) float32 in [-1, 1], "length": (B,) int32
        all 6, "category": (B,) int64 (0 water_flowing, 1 fire), "source": (B,) string,
        "clip_index": (B,) int32, "clip_start": (B,) float32 seconds}`.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if isinstance(start_step, bool) or not isinstance(start_step, int) or start_step < 0:
        raise ValueError(f"start_step must be a non-negative integer, got {start_step!r}")
    shard = sharding.check_shard(shard, training)
    category = data_config.get("category")
    builder = prepared_builder(category, data_dir or data_config.get("data_dir"))
    base_split = split.split("[")[0]
    if base_split not in builder.info.splits:
        raise ValueError(f"{DATASET_NAME}/{category} has no split {base_split!r}; prepared "
                         f"splits: {sorted(builder.info.splits)} (a split no source hashes "
                         f"into is left out: add more sources)")
    video_feature = builder.info.features["video"]
    # Keep frames PNG-encoded until after shuffling and skipping: both stay cheap.
    ds = builder.as_dataset(split=split, shuffle_files=False,
                            decoders={"video": tfds.decode.SkipDecoding()},
                            read_config=tfds.ReadConfig(try_autocache=False))
    ds = ds.cache()
    if training:
        buffer = max(1, builder.info.splits[split].num_examples)
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True).repeat()
    if shard is None:
        ds = ds.enumerate().skip(start_step * batch_size)
    else:
        ds = sharding.shard_rows(ds.enumerate().skip(start_step * batch_size * shard[1]),
                                 batch_size, shard)

    def prepare(index, example):
        video = video_feature.decode_example(example["video"])  # (6, 72, 72, 3) uint8
        clip_seed = tf.stack([tf.cast(seed, tf.int64), index])
        video = augment.augment_clip(video, clip_seed, size=IMAGE_SIZE, training=training)
        video = tf.cast(video, tf.float32) / 127.5 - 1.0
        video.set_shape((clips.NUM_FRAMES, IMAGE_SIZE, IMAGE_SIZE, 3))
        return {
            "video": video,
            "length": tf.constant(clips.NUM_FRAMES, tf.int32),
            "category": example["category"],
            "source": example["source"],
            "clip_index": example["clip_index"],
            "clip_start": example["clip_start"],
        }

    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.batch(batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)
