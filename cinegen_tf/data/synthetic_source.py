"""Seeded tf.data sources over the synthetic renderer, with no materialised split.

`synthetic_source(pattern, seed, batch_size)` is infinite. Its batch k holds sequences
`k*B .. k*B + B-1` of the renderer's `(seed, pattern, "train")` stream, a pure function
of `(seed, k, B)`. A run resumed with `start_step=k` therefore gets exactly the batches
an uninterrupted run would have. The first 95K sequences of that stream are, in index
order, the TFDS train split built with the same seed.

`synthetic_sequences(pattern, seed, split, num_sequences)` is finite: the first N
sequences of a stream, in index order. On the "test" stream these are the first N
examples of the TFDS test split built with the same seed. The "test" stream is
independent of the "train" stream.

Batches are rendered by `tf.numpy_function` in a parallel, order-preserving map.
"""
import tensorflow as tf

from cinegen_tf.data import sharding
from cinegen_tf.data import synthetic

KEYS = ("video", "mask", "centers", "length", "texture_id")
_DTYPES = (tf.uint8, tf.uint8, tf.float32, tf.int32, tf.int32)


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def _shapes(pattern: str, batch):
    """Static shapes of a batch of `batch` (None: unknown) sequences of `pattern`."""
    frames, size = synthetic.PADDED_LENGTHS[pattern], synthetic.FRAME_SIZE
    return ((batch, frames, size, size, 3), (batch, frames, size, size, 1), (batch, frames, 2),
            (batch,), (batch,))


def _render_op(pattern: str, seed: int, split: str, start, count, batch=None) -> dict:
    """Graph op: `synthetic.render_batch` of sequences `start .. start + count - 1`."""

    def render(start_value, count_value):
        arrays = synthetic.render_batch(pattern, seed, split, int(start_value), int(count_value))
        return tuple(arrays[key] for key in KEYS)

    values = tf.numpy_function(render, [start, count], _DTYPES, stateful=False)
    for value, shape in zip(values, _shapes(pattern, batch)):
        value.set_shape(shape)
    return dict(zip(KEYS, values))


def synthetic_source(pattern: str, seed: int, batch_size: int,
                     start_step: int = 0, shard=None) -> tf.data.Dataset:
    """Infinite batches of freshly rendered training sequences.

    Args:
        pattern: motion pattern, one of `synthetic.PATTERNS`.
        seed: non-negative int; selects the stream.
        batch_size: sequences per batch, B > 0.
        start_step: index of the first batch to yield (resuming at step k: k).
        shard: None, or (index, count): batch k holds rows `index*B ..` of batch k of the
            stream of `count*B` sequences per batch (cinegen_tf.data.sharding), rendering
            only those.

    Returns:
        A dataset whose element k is `{"video": (B, T, 64, 64, 3) uint8, "mask":
        (B, T, 64, 64, 1) uint8 in {0, 1}, "centers": (B, T, 2) float32, "length": (B,)
        int32, "texture_id": (B,) int32}`, T = PADDED_LENGTHS[pattern], for batch
        `start_step + k` of the stream.

    Raises:
        ValueError: unknown pattern, negative seed or start_step, non-positive batch_size.
    """
    synthetic.validate_pattern(pattern)
    _check_int("seed", seed, 0)
    _check_int("batch_size", batch_size, 1)
    _check_int("start_step", start_step, 0)
    index, count = sharding.check_shard(shard, True) or (0, 1)
    return tf.data.Dataset.counter(start_step).map(
        lambda step: _render_op(pattern, seed, "train",
                                (step * count + index) * batch_size, batch_size,
                                batch=batch_size),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def synthetic_sequences(pattern: str, seed: int, split: str, num_sequences: int,
                        chunk_size: int = 64) -> tf.data.Dataset:
    """The first `num_sequences` sequences of a stream, unbatched, in index order.

    Args:
        pattern: motion pattern, one of `synthetic.PATTERNS`.
        seed: non-negative int; selects the stream.
        split: "train" or "test".
        num_sequences: N > 0.
        chunk_size: sequences rendered per map call.

    Returns:
        A finite dataset of N elements, each like one row of a `synthetic_source` batch.

    Raises:
        ValueError: unknown pattern or split, negative seed, non-positive sizes.
    """
    synthetic.validate_pattern(pattern)
    _check_int("seed", seed, 0)
    _check_int("num_sequences", num_sequences, 1)
    _check_int("chunk_size", chunk_size, 1)
    if split not in synthetic.SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {synthetic.SPLITS}")
    starts = tf.data.Dataset.range(0, num_sequences, chunk_size)
    chunks = starts.map(
        lambda start: _render_op(pattern, seed, split, start,
                                 tf.minimum(tf.cast(chunk_size, tf.int64), num_sequences - start)),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return chunks.unbatch()
