"""A replica's share of each global training batch (`shard=(index, count)` of the pipelines).

With tf.distribute (training/distribute.py) replica `index` of `count` trains on rows
`index*B .. (index+1)*B - 1` of every global batch of `count*B` rows, B the per-replica
batch: the rows a single-device run would see at that step, whatever the replica count.
A sharded pipeline yields those rows only, and drops the others before decoding them.
"""
import tensorflow as tf


def check_shard(shard, training):
    """Validates `shard` (None or (index, count), 0 <= index < count); returns it."""
    if shard is None:
        return None
    index, count = shard
    for name, value in (("index", index), ("count", count)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"shard {name} must be an integer, got {value!r}")
    if not 0 <= index < count:
        raise ValueError(f"shard = {shard!r}: needs 0 <= index < count")
    if not training:
        raise ValueError("shard is for training streams; evaluate on one device")
    return index, count


def shard_rows(examples, batch_size, shard):
    """Keeps the rows of `examples` that replica `shard[0]` batches (see module doc).

    Args:
      examples: an unbatched dataset, positioned at the start of a global batch.
      batch_size: B, rows per replica batch.
      shard: (index, count).

    Returns:
      the dataset of rows `k*count*B + index*B .. + B - 1` for k = 0, 1, ...
    """
    index, count = shard
    return examples.enumerate().filter(
        lambda i, _: tf.equal((i // batch_size) % count, index)).map(lambda _, x: x)
