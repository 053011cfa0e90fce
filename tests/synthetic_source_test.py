"""The tf.data sources: batch k is a pure function of (seed, k); finite sets in index order."""
import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.data import synthetic
from cinegen_tf.data import synthetic_source


def _take(dataset, n):
    return [{key: value.numpy() for key, value in batch.items()} for batch in dataset.take(n)]


def test_batch_k_holds_stream_sequences_k_b_to_k_b_plus_b():
    batches = _take(synthetic_source.synthetic_source("eight", 5, 3), 3)
    for k, batch in enumerate(batches):
        expected = synthetic.render_batch("eight", 5, "train", 3 * k, 3)
        for key in synthetic_source.KEYS:
            assert batch[key].tobytes() == expected[key].tobytes(), (k, key)


def test_resuming_at_step_k_gives_the_same_batches():
    full = _take(synthetic_source.synthetic_source("rotate", 1, 2), 5)
    resumed = _take(synthetic_source.synthetic_source("rotate", 1, 2, start_step=3), 2)
    for got, want in zip(resumed, full[3:]):
        for key in synthetic_source.KEYS:
            np.testing.assert_array_equal(got[key], want[key])
    other_seed = _take(synthetic_source.synthetic_source("rotate", 2, 2), 1)[0]
    assert not np.array_equal(other_seed["video"], full[0]["video"])


def test_element_spec_is_static_and_matches_the_contract():
    spec = synthetic_source.synthetic_source("scale", 0, 4).element_spec
    assert spec["video"] == tf.TensorSpec((4, 17, 64, 64, 3), tf.uint8)
    assert spec["mask"] == tf.TensorSpec((4, 17, 64, 64, 1), tf.uint8)
    assert spec["centers"] == tf.TensorSpec((4, 17, 2), tf.float32)
    assert spec["length"] == tf.TensorSpec((4,), tf.int32)
    assert spec["texture_id"] == tf.TensorSpec((4,), tf.int32)


def test_finite_sequences_are_the_first_n_of_a_stream_in_order():
    dataset = synthetic_source.synthetic_sequences("i", 3, "test", 7, chunk_size=3)
    examples = [{key: value.numpy() for key, value in e.items()} for e in dataset]
    assert len(examples) == 7
    expected = synthetic.render_batch("i", 3, "test", 0, 7)
    for i, example in enumerate(examples):
        for key in synthetic_source.KEYS:
            np.testing.assert_array_equal(example[key], expected[key][i])
    assert dataset.element_spec["video"].shape == (27, 64, 64, 3)


@pytest.mark.parametrize("call, message", [
    (lambda: synthetic_source.synthetic_source("zigzag", 0, 2), "unknown motion pattern"),
    (lambda: synthetic_source.synthetic_source("o", -1, 2), "seed must be an integer >= 0"),
    (lambda: synthetic_source.synthetic_source("o", 0, 0), "batch_size must be an integer >= 1"),
    (lambda: synthetic_source.synthetic_source("o", 0, 2, start_step=-1),
     "start_step must be an integer >= 0"),
    (lambda: synthetic_source.synthetic_sequences("o", 0, "test", 0),
     "num_sequences must be an integer >= 1"),
    (lambda: synthetic_source.synthetic_sequences("o", 0, "dev", 3), "unknown split 'dev'"),
])
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
