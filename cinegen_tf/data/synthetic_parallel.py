"""Renders ranges of synthetic sequences on all CPU cores (the 600K-sequence builds).

Each sequence is a pure function of `(pattern, seed, split, index)`
(`cinegen_tf.data.synthetic`). The way a range is cut into chunks, or spread over
processes, therefore never changes the bytes.

Chunks go to a process pool. On Linux it forks: the workers run numpy only, and never
TensorFlow, so forking a parent that runs TF threads is safe. "spawn" would re-run the
parent's `__main__` in every worker: for the `tfds` CLI that costs 3 s and about 400 MB
of TensorFlow per worker, and a `python -` script cannot be re-run at all. TFDS's own
`--num-processes` forks the same way.

At most `2 * num_workers` chunks are in flight, so memory stays bounded when the consumer
(the TFDS writer) is slower than the renderers. Results come back in index order.
"""
import collections
import multiprocessing
import os
import warnings
from typing import Iterator, Optional

import numpy as np

from cinegen_tf.data import synthetic

DEFAULT_CHUNK_SIZE = 64


def default_num_workers() -> int:
    """The number of CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool(num_workers: int):
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with warnings.catch_warnings():
        # Python >= 3.12 warns about forking a multi-threaded parent; see the module doc.
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        return multiprocessing.get_context(method).Pool(num_workers)


def _chunks(start: int, stop: int, chunk_size: int):
    return [(s, min(s + chunk_size, stop)) for s in range(start, stop, chunk_size)]


def render_chunk(pattern: str, seed: int, split: str, start: int, stop: int) -> dict:
    """Worker task: `synthetic.render_batch` of sequences `start .. stop - 1`."""
    return synthetic.render_batch(pattern, seed, split, start, stop - start)


def _unstack(start: int, batch: dict) -> Iterator[tuple]:
    for i in range(batch["length"].shape[0]):
        yield start + i, {key: value[i] for key, value in batch.items()}


def iter_chunk(pattern: str, seed: int, split: str, start: int, stop: int) -> Iterator[tuple]:
    """Yields `(index, example)` for `index` in `[start, stop)`, rendered in this process."""
    return _unstack(start, render_chunk(pattern, seed, split, start, stop))


def iter_examples(pattern: str, seed: int, split: str, start: int, stop: int,
                  num_workers: Optional[int] = None,
                  chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[tuple]:
    """Yields `(index, example)` for `index` in `[start, stop)`, in index order.

    Args:
        pattern, seed, split: the stream (see `synthetic.render_sequence`).
        start, stop: the index range, `0 <= start <= stop`.
        num_workers: rendering processes; None or 0 means `default_num_workers()`.
            With 1 worker, or a range of one chunk, rendering stays in this process.
        chunk_size: sequences per task.

    Yields:
        `(int, dict)`: the index and the dict of `synthetic.render_sequence`.

    Raises:
        ValueError: on a bad range, worker count or chunk size (or stream, from the renderer).
    """
    synthetic.render_batch(pattern, seed, split, 0, 1)  # validates the stream up front
    if not 0 <= start <= stop:
        raise ValueError(f"need 0 <= start <= stop, got start={start}, stop={stop}")
    if num_workers is not None and num_workers < 0:
        raise ValueError(f"num_workers must be >= 0, got {num_workers}")
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    workers = num_workers or default_num_workers()
    chunks = _chunks(start, stop, chunk_size)
    if workers == 1 or len(chunks) <= 1:
        for lo, hi in chunks:
            yield from iter_chunk(pattern, seed, split, lo, hi)
        return
    pending = collections.deque()
    todo = iter(chunks)
    pool = _pool(workers)
    try:
        for lo, hi in todo:
            pending.append((lo, pool.apply_async(render_chunk, (pattern, seed, split, lo, hi))))
            if len(pending) >= 2 * workers:
                break
        while pending:
            lo, result = pending.popleft()
            batch = result.get()
            following = next(todo, None)
            if following is not None:
                pending.append((following[0], pool.apply_async(
                    render_chunk, (pattern, seed, split, *following))))
            yield from _unstack(lo, batch)
    finally:
        # Not Pool.terminate (what `with pool` does): a consumer that stops early (e.g.
        # `tfds build --max_examples_per_split`) abandons this generator, and terminating a
        # pool with tasks in flight can deadlock on its queues' locks. Closing lets the at
        # most 2 * workers chunks in flight finish, then the workers exit.
        pool.close()
        pool.join()


def render_range(pattern: str, seed: int, split: str, start: int, stop: int,
                 num_workers: Optional[int] = None) -> dict:
    """Sequences `start .. stop - 1` stacked like `synthetic.render_batch`, on all cores."""
    if not 0 <= start < stop:
        raise ValueError(f"need 0 <= start < stop, got start={start}, stop={stop}")
    examples = [example for _, example in iter_examples(
        pattern, seed, split, start, stop, num_workers=num_workers)]
    return {key: np.stack([e[key] for e in examples]) for key in examples[0]}
