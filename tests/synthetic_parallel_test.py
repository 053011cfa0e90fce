"""Rendering on a process pool gives the same examples, in the same order, as one process."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from cinegen_tf.data import synthetic
from cinegen_tf.data import synthetic_parallel


def _assert_same(examples, reference):
    assert [index for index, _ in examples] == [index for index, _ in reference]
    for (_, got), (_, want) in zip(examples, reference):
        for key in want:
            assert got[key].tobytes() == want[key].tobytes(), key


def test_pool_matches_one_process_for_any_chunking():
    reference = list(synthetic_parallel.iter_examples("l", 4, "test", 3, 40, num_workers=1))
    assert [index for index, _ in reference] == list(range(3, 40))
    for workers, chunk in ((2, 5), (3, 16)):
        pooled = list(synthetic_parallel.iter_examples("l", 4, "test", 3, 40, num_workers=workers,
                                                       chunk_size=chunk))
        _assert_same(pooled, reference)
    single = synthetic.render_sequence("l", 4, "test", 17)
    assert np.array_equal(reference[14][1]["video"], single["video"])


def test_render_range_stacks_like_render_batch():
    stacked = synthetic_parallel.render_range("scale", 0, "train", 10, 30, num_workers=2)
    batch = synthetic.render_batch("scale", 0, "train", 10, 20)
    for key in batch:
        assert stacked[key].tobytes() == batch[key].tobytes()


def test_pool_works_from_a_stdin_script():
    # Spawned workers would re-run "<stdin>" and fail; forked ones do not need to.
    code = ("from cinegen_tf.data import synthetic_parallel as p\n"
            "b = p.render_range('o', 0, 'train', 0, 200, num_workers=2)\n"
            "print(int(b['length'].sum()))\n")
    result = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True,
                            timeout=120, cwd=str(pathlib.Path(__file__).parents[1]))
    assert result.returncode == 0, result.stderr
    expected = int(synthetic.render_batch("o", 0, "train", 0, 200)["length"].sum())
    assert int(result.stdout.split()[-1]) == expected


def test_empty_range_yields_nothing():
    assert list(synthetic_parallel.iter_examples("i", 0, "train", 5, 5)) == []


@pytest.mark.parametrize("kwargs, message", [
    (dict(start=5, stop=2), "need 0 <= start <= stop"),
    (dict(start=-1, stop=2), "need 0 <= start <= stop"),
    (dict(start=0, stop=2, num_workers=-1), "num_workers must be >= 0"),
    (dict(start=0, stop=2, chunk_size=0), "chunk_size must be positive"),
])
def test_bad_ranges_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        list(synthetic_parallel.iter_examples("i", 0, "train", **kwargs))
    with pytest.raises(ValueError, match="unknown motion pattern"):
        list(synthetic_parallel.iter_examples("x", 0, "train", 0, 1))
    with pytest.raises(ValueError, match="need 0 <= start < stop"):
        synthetic_parallel.render_range("i", 0, "train", 3, 3)
