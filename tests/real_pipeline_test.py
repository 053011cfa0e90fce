"""Tests of the real-data tf.data pipeline on a tiny dataset built from generated clips."""
import ml_collections
import numpy as np
import pytest
import tensorflow_datasets as tfds

from cinegen_datasets.real_cinemagraphs import fake_manual_dir
from cinegen_datasets.real_cinemagraphs import real_cinemagraphs_dataset_builder as builder_lib
from cinegen_tf.data import real_pipeline

B = 3


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """(data_dir, {(source, clip_index): stored (6, 72, 72, 3) uint8}, split sizes)."""
    root = tmp_path_factory.mktemp("manual")
    fake_manual_dir.write_manual_dir(root)
    data_dir = tmp_path_factory.mktemp("data")
    builder = builder_lib.Builder(config="all", data_dir=str(data_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(root)))
    stored = {}
    for split in ("train", "test"):
        for ex in tfds.as_numpy(builder.as_dataset(split=split)):
            stored[(ex["source"].decode(), int(ex["clip_index"]))] = ex["video"]
    sizes = {s: builder.info.splits[s].num_examples for s in ("train", "test")}
    return str(data_dir), stored, sizes


def _config(data_dir, category="all"):
    return ml_collections.ConfigDict({"name": "real", "category": category,
                                      "data_dir": data_dir})


def _batches(data_dir, split, n, **kwargs):
    ds = real_pipeline.real_dataset(_config(data_dir), split, batch_size=B, **kwargs)
    return [{k: v.numpy() for k, v in batch.items()} for batch in ds.take(n)]


def _to_uint8(video):
    return np.round((video + 1.0) * 127.5).astype(np.int64)


def test_batch_contract(prepared):
    data_dir, _, _ = prepared
    batch = _batches(data_dir, "train", 1, training=True)[0]
    assert batch["video"].shape == (B, 6, 64, 64, 3) and batch["video"].dtype == np.float32
    assert batch["video"].min() >= -1.0 and batch["video"].max() <= 1.0
    np.testing.assert_array_equal(batch["length"], np.full(B, 6, np.int32))
    assert batch["length"].dtype == np.int32
    assert set(batch["category"]) <= {0, 1}
    assert batch["source"].shape == (B,) and batch["clip_start"].shape == (B,)


def test_training_crop_and_flip_are_the_same_for_every_frame(prepared):
    data_dir, stored, _ = prepared
    seen = set()
    for batch in _batches(data_dir, "train", 6, training=True, seed=3):
        for video, source, index in zip(batch["video"], batch["source"], batch["clip_index"]):
            raw = stored[(source.decode(), int(index))].astype(np.int64)
            out = _to_uint8(video)
            matches = [(top, left, flip)
                       for flip in (False, True) for top in range(9) for left in range(9)
                       if np.array_equal(
                           out, (raw[:, :, ::-1] if flip else raw)[:, top:top + 64, left:left + 64])]
            assert matches, f"{source} clip {index}: frames were not cropped/flipped alike"
            seen.update(m[2] for m in matches)
    assert seen == {False, True}  # both flips happen across the stream


def test_training_stream_is_seeded_infinite_and_resumable(prepared):
    data_dir, _, sizes = prepared
    n = sizes["train"] // B + 3  # more batches than one epoch holds
    first = _batches(data_dir, "train", n, training=True, seed=5)
    again = _batches(data_dir, "train", n, training=True, seed=5)
    other = _batches(data_dir, "train", n, training=True, seed=6)
    assert len(first) == n
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a["video"], b["video"])
    assert any(not np.array_equal(a["video"], b["video"]) for a, b in zip(first, other))
    resumed = _batches(data_dir, "train", 2, training=True, seed=5, start_step=n - 2)
    for a, b in zip(first[-2:], resumed):
        np.testing.assert_array_equal(a["video"], b["video"])
        np.testing.assert_array_equal(a["source"], b["source"])


def test_evaluation_is_one_pass_of_centre_crops(prepared):
    data_dir, stored, sizes = prepared
    batches = _batches(data_dir, "test", 100, training=False)
    assert sum(len(b["video"]) for b in batches) == sizes["test"]
    for batch in batches:
        for video, source, index in zip(batch["video"], batch["source"], batch["clip_index"]):
            raw = stored[(source.decode(), int(index))].astype(np.int64)
            np.testing.assert_array_equal(_to_uint8(video), raw[:, 4:68, 4:68])


def test_clear_errors(prepared, tmp_path):
    data_dir, _, _ = prepared
    with pytest.raises(FileNotFoundError, match="tfds build datasets/real_cinemagraphs"):
        real_pipeline.real_dataset(_config(str(tmp_path)), "train", batch_size=B)
    with pytest.raises(ValueError, match="category"):
        real_pipeline.real_dataset(_config(data_dir, "lava"), "train", batch_size=B)
    with pytest.raises(ValueError, match="no split 'validation'"):
        real_pipeline.real_dataset(_config(data_dir), "validation", batch_size=B)
    with pytest.raises(ValueError, match="batch_size"):
        real_pipeline.real_dataset(_config(data_dir), "train", batch_size=0)


def test_shards_are_the_rows_of_the_global_batches(prepared):
    data_dir, _, _ = prepared
    kwargs = dict(training=True, seed=4, start_step=1)
    ds = real_pipeline.real_dataset(_config(data_dir), "train", batch_size=2 * B, **kwargs)
    full = [{k: v.numpy() for k, v in batch.items()} for batch in ds.take(3)]
    for index in range(2):  # replica `index` of 2: rows index*B.. of each global batch
        part = _batches(data_dir, "train", 3, shard=(index, 2), **kwargs)
        for want, got in zip(full, part):
            for key in ("video", "source", "clip_index"):
                np.testing.assert_array_equal(got[key], want[key][index * B:(index + 1) * B],
                                              err_msg=key)
