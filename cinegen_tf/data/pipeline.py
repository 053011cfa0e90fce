"""tf.data pipelines that feed training and evaluation (`make_dataset`).

`data_config.name` picks the data: "real" (Sec. 4.2) is `real_pipeline.real_dataset`
(its docstring gives the keys and batches). For "synthetic" (Sec. 4.1, 5.2) `data_config` has:

- `pattern`: motion pattern, one of `synthetic.PATTERNS`;
- `source` ("procedural"): where sequences come from:
  - "procedural": rendered on the fly. Split "train" is the infinite stream of
    `synthetic_source` (batch k is a pure function of `(seed, k)`). Split "test" is a
    fixed, finite set: the first `num_test_sequences` (default 5000, the paper's test
    size) sequences of the renderer's independent "test" stream.
  - "tfds": the prepared `synthetic_cinemagraphs/<tfds_config>` split (any TFDS split
    string, e.g. "test" or "train[:10%]").
- `data_dir` (None: TFDS's default): where prepared TFDS data lives;
- `tfds_config` (default: `pattern`): the TFDS config name, e.g. a smaller JSON-built one;
- `shuffle_buffer` (10000): TFDS training shuffle buffer, in still-compressed examples.

With `seed` s, procedural sequences equal those of a TFDS build with config seed s. The
"train" stream starts with the TFDS train split, and the procedural test set is the
first N examples of the TFDS test split.

Training datasets (`training=True`) are infinite, shuffled when finite, and yield full
batches only. Evaluation datasets make one pass in a fixed order; the last batch may be
short. `start_step=k` skips the first k batches of the same seeded stream (before
decoding), so a resumed run sees exactly the batches an uninterrupted one would have.
`shard=(index, count)` (training) yields replica `index`'s rows of each global batch of
`count * batch_size` (cinegen_tf.data.sharding; tf.distribute feeds each replica so).
Frames are normalised once, on whole batches, to float32 in [-1, 1].
"""
import tensorflow as tf
import tensorflow_datasets as tfds

from cinegen_tf.data import prepared
from cinegen_tf.data import sharding
from cinegen_tf.data import synthetic
from cinegen_tf.data import synthetic_source

DATASET_NAME = "synthetic_cinemagraphs"
SOURCES = ("procedural", "tfds")
DEFAULT_NUM_TEST_SEQUENCES = 5000
DEFAULT_SHUFFLE_BUFFER = 10_000


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def prepared_builder(config_name: str, data_dir=None) -> tfds.core.DatasetBuilder:
    """The prepared `synthetic_cinemagraphs/<config_name>` (newest version) in `data_dir`.

    Raises:
        FileNotFoundError: nothing prepared there; the message says how to build it.
    """
    return prepared.prepared_builder(
        DATASET_NAME, config_name, data_dir,
        f"tfds build datasets/{DATASET_NAME} --config={config_name} --data_dir={{data_dir}} "
        f"(see datasets/{DATASET_NAME}/README.md for smaller builds)")


def _normalise(batch: dict) -> dict:
    """uint8 batch -> video float32 in [-1, 1], mask float32 in {0, 1}, int32 scalars."""
    return {
        "video": tf.cast(batch["video"], tf.float32) / 127.5 - 1.0,
        "mask": tf.cast(batch["mask"], tf.float32),
        "centers": tf.cast(batch["centers"], tf.float32),
        "length": tf.cast(batch["length"], tf.int32),
        "texture_id": tf.cast(batch["texture_id"], tf.int32),
    }


def _tfds_examples(data_config, pattern: str, split: str, data_dir):
    """Still-compressed examples of a prepared split, and a function that decodes one."""
    config_name = data_config.get("tfds_config") or pattern
    builder = prepared_builder(config_name, data_dir)
    features = builder.info.features
    frames = features["video"].shape[0]
    stored = dict(builder.info.metadata or {}).get("pattern")
    if stored not in (None, pattern) or frames != synthetic.PADDED_LENGTHS[pattern]:
        raise ValueError(
            f"{DATASET_NAME}/{config_name} in {builder.data_dir} holds pattern {stored!r} "
            f"({frames} frames), but data_config.pattern is {pattern!r}")
    if split.split("[")[0] not in builder.info.splits:
        raise ValueError(f"{DATASET_NAME}/{config_name} has no split {split!r}; prepared "
                         f"splits: {sorted(builder.info.splits)}")
    skip = tfds.decode.SkipDecoding()
    examples = builder.as_dataset(
        split=split, shuffle_files=False, decoders={"video": skip, "mask": skip},
        read_config=tfds.ReadConfig(try_autocache=False))

    def decode(example):
        return dict(example, video=features["video"].decode_example(example["video"]),
                    mask=features["mask"].decode_example(example["mask"]))

    return examples, decode


def _synthetic_dataset(data_config, split, batch_size, seed, training, start_step, data_dir,
                       shard):
    pattern = synthetic.validate_pattern(data_config.get("pattern"))
    source = data_config.get("source", "procedural")
    if source not in SOURCES:
        raise ValueError(f"data_config.source must be one of {SOURCES}, got {source!r}")
    if source == "procedural" and split == "train":
        batches = synthetic_source.synthetic_source(pattern, seed, batch_size, start_step,
                                                    shard)
    else:
        if source == "procedural":
            if split != "test":
                raise ValueError(f"procedural synthetic data has splits 'train' and 'test', "
                                 f"got {split!r}")
            count = _check_int("data_config.num_test_sequences",
                               data_config.get("num_test_sequences", DEFAULT_NUM_TEST_SEQUENCES), 1)
            examples = synthetic_source.synthetic_sequences(pattern, seed, "test", count)
            decode = None
        else:
            examples, decode = _tfds_examples(data_config, pattern, split, data_dir)
        if training:
            buffer = _check_int("data_config.shuffle_buffer",
                                data_config.get("shuffle_buffer", DEFAULT_SHUFFLE_BUFFER), 1)
            examples = examples.shuffle(buffer, seed=seed, reshuffle_each_iteration=True).repeat()
        if shard is None:
            examples = examples.skip(start_step * batch_size)
        else:
            examples = sharding.shard_rows(examples.skip(start_step * batch_size * shard[1]),
                                           batch_size, shard)
        if decode is not None:
            examples = examples.map(decode, num_parallel_calls=tf.data.AUTOTUNE,
                                    deterministic=True)
        batches = examples.batch(batch_size, drop_remainder=training)
    batches = batches.map(_normalise, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return batches.prefetch(tf.data.AUTOTUNE)


def make_dataset(data_config, split: str, *, batch_size: int, seed: int = 0,
                 training: bool = False, start_step: int = 0, data_dir=None,
                 shard=None) -> tf.data.Dataset:
    """Batches for training or evaluation.

    Args:
        data_config: ConfigDict with `name` ("synthetic" or "real") and that data's keys
            (module doc).
        split: "train" or "test" (a TFDS split string for TFDS sources).
        batch_size: sequences per batch, B > 0.
        seed: non-negative int; seeds the procedural streams and the shuffling.
        training: infinite, shuffled, full batches; else one pass, in order.
        start_step: number of batches of the stream to skip (resume at step k: k).
        data_dir: prepared TFDS data; None means `data_config.data_dir`, then TFDS's default.
        shard: None, or (index, count) with training: this replica's rows of each global
            batch of count * batch_size (module doc); start_step counts global batches.

    Returns:
        Synthetic: a dataset of `{"video": float32 (B, T, 64, 64, 3) in [-1, 1], "mask": float32
        (B, T, 64, 64, 1) in {0, 1}, "centers": float32 (B, T, 2) (y, x) pixels, (-1, -1)
        on padding, "length": int32 (B,), "texture_id": int32 (B,)}`. Real: see
        `real_pipeline.real_dataset` (T = 6, no mask/centers).

    Raises:
        ValueError: unknown data name, pattern, source or split; bad sizes or seed.
        FileNotFoundError: a TFDS source that has not been prepared.
    """
    _check_int("batch_size", batch_size, 1)
    _check_int("seed", seed, 0)
    _check_int("start_step", start_step, 0)
    shard = sharding.check_shard(shard, training)
    data_dir = data_dir if data_dir is not None else data_config.get("data_dir")
    name = data_config.get("name")
    if name == "synthetic":
        return _synthetic_dataset(data_config, split, batch_size, seed, bool(training),
                                  start_step, data_dir, shard)
    if name == "real":
        from cinegen_tf.data import real_pipeline  # imported late: decoding libs not free

        return real_pipeline.real_dataset(data_config, split, batch_size=batch_size, seed=seed,
                                          training=bool(training), data_dir=data_dir,
                                          start_step=start_step, shard=shard)
    raise ValueError(f"unknown data_config.name {name!r}; expected 'synthetic' or 'real'")
