"""synthetic_cinemagraphs: TFDS checks on tiny configs, byte-identical builds, Beam, the CLI."""
import hashlib
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow_datasets as tfds

from cinegen_datasets.synthetic_cinemagraphs import synthetic_cinemagraphs_dataset_builder as lib
from cinegen_tf.data import synthetic

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def _config(pattern="eight", name=None, **kwargs):
    kwargs.setdefault("num_train", 3)
    kwargs.setdefault("num_test", 2)
    return lib.SyntheticCinemagraphsConfig(name=name or f"{pattern}_tiny", pattern=pattern, **kwargs)


class SyntheticCinemagraphsTest(tfds.testing.DatasetBuilderTestCase):
    """TFDS's own checks (features, splits, keys, registration), one tiny config per pattern."""

    DATASET_CLASS = lib.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = [_config(pattern) for pattern in synthetic.PATTERNS]
    SPLITS = {"train": 3, "test": 2}
    SKIP_CHECKSUMS = True  # nothing is downloaded


def _build(data_dir, config, download_config=None):
    builder = lib.Builder(config=config, data_dir=str(data_dir))
    builder.download_and_prepare(download_config=download_config)
    return builder


def _record_files(builder):
    return {path.name: path.read_bytes()
            for path in sorted(pathlib.Path(builder.data_dir).glob("*.tfrecord*"))}


def _videos(builder, split):
    return sorted(hashlib.sha256(example["video"].tobytes()).hexdigest()
                  for example in tfds.as_numpy(builder.as_dataset(split=split)))


def test_paper_sizes_and_padded_lengths_by_default():
    for config in lib.Builder.BUILDER_CONFIGS:
        assert (config.num_train, config.num_test, config.seed) == (95_000, 5_000, 0)
        builder = lib.Builder(config=config.name, data_dir="/nonexistent")
        frames = synthetic.PADDED_LENGTHS[config.pattern]
        assert builder.info.features["video"].shape == (frames, 64, 64, 3)
        assert builder.info.features["mask"].shape == (frames, 64, 64, 1)
    assert [c.name for c in lib.Builder.BUILDER_CONFIGS] == list(synthetic.PATTERNS)


def test_same_seed_builds_are_byte_identical_with_or_without_a_pool(tmp_path):
    # 130 examples = 3 render chunks, so 2 workers really share the work.
    one = _build(tmp_path / "one", _config("o", num_train=130, num_workers=1))
    pooled = _build(tmp_path / "pooled", _config("o", num_train=130, num_workers=2))
    files = _record_files(one)
    assert len(files) == 2 and files == _record_files(pooled)
    other = _build(tmp_path / "other", _config("o", num_train=130, seed=1))
    assert _record_files(other) != files


def test_splits_hold_the_renderer_sequences_and_metadata(tmp_path):
    builder = _build(tmp_path, _config("rotate", num_train=5, num_test=4, seed=3))
    for split, count in (("train", 5), ("test", 4)):
        rendered = synthetic.render_batch("rotate", 3, split, 0, count)["video"]
        assert _videos(builder, split) == sorted(
            hashlib.sha256(video.tobytes()).hexdigest() for video in rendered)
    example = next(iter(tfds.as_numpy(builder.as_dataset(split="test"))))
    assert example["video"].dtype == np.uint8 and example["mask"].dtype == np.uint8
    assert example["centers"].dtype == np.float32 and example["length"].dtype == np.int32
    reread = tfds.builder_from_directory(builder.data_dir)
    assert dict(reread.info.metadata) == dict(pattern="rotate", seed=3, num_train=5, num_test=4)


def test_beam_build_writes_the_same_bytes(tmp_path):
    beam = pytest.importorskip("apache_beam")  # the dev extra installs it
    plain = _build(tmp_path / "plain", _config("scale", num_train=6, num_test=2))
    beamed = _build(tmp_path / "beam", _config("scale", num_train=6, num_test=2),
                    tfds.download.DownloadConfig(beam_runner=beam.runners.DirectRunner()))
    assert _record_files(beamed) == _record_files(plain)


@pytest.mark.parametrize("kwargs, message", [
    (dict(pattern="spiral"), "unknown motion pattern 'spiral'"),
    (dict(num_train=0), "num_train must be an integer >= 1"),
    (dict(num_test=2.5), "num_test must be an integer >= 1"),
    (dict(seed=-4), "seed must be an integer >= 0"),
    (dict(num_workers=-1), "num_workers must be an integer >= 0"),
])
def test_bad_configs_raise_naming_the_config(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _config(name="bad_one", **kwargs)


def test_tfds_build_cli_from_the_repo_root(tmp_path):
    # The documented command, capped at 3 examples per split so it runs in seconds.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO_ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    result = subprocess.run(
        [sys.executable, "-m", "tensorflow_datasets.scripts.cli.main", "build",
         "datasets/synthetic_cinemagraphs", "--config=eight", "--max_examples_per_split=3",
         f"--data_dir={tmp_path}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    builder = tfds.builder_from_directory(str(tmp_path / "synthetic_cinemagraphs" / "eight" / "2.0.0"))
    assert builder.info.splits["train"].num_examples == 3
    assert builder.info.features["video"].shape == (21, 64, 64, 3)
