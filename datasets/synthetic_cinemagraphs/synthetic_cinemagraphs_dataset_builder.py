"""synthetic_cinemagraphs: the procedural dataset of Image2GIF (WACV 2018, Sec. 4.1, 5.2).

One config per motion pattern (`i`, `o`, `l`, `eight`, `rotate`, `scale`). Each has the
paper's 95K train / 5K test sequences, rendered by `cinegen_tf.data.synthetic`. Example
`index` of split `s` is a pure function of `(config.seed, pattern, s, index)` and has key
`index`. Builds are therefore byte-identical, however the work is spread over processes.
TFDS serializes `tf.train.Example`s with protobuf's per-process map order, so the
builder re-serializes every record with sorted keys (`DeterministicExampleWriter`).

Without Beam, `_generate_examples` renders in the build's process (or a process pool
of `num_workers`). When
a Beam runner or pipeline options are given (`tfds build --beam_pipeline_options=...`),
it returns a Beam PTransform instead, so a cluster renders the chunks.
"""
import dataclasses

import numpy as np
import tensorflow_datasets as tfds
from tensorflow.core.example import example_pb2
from tensorflow_datasets.core import writer as tfds_writer

from cinegen_tf.data import build_folders
from cinegen_tf.data import synthetic
from cinegen_tf.data import synthetic_parallel

PAPER_NUM_TRAIN = 95_000
PAPER_NUM_TEST = 5_000
BEAM_CHUNK_SIZE = 256


def _check_int(config_name: str, field: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(
            f"synthetic_cinemagraphs config {config_name!r}: {field} must be an integer "
            f">= {minimum}, got {value!r}")


@dataclasses.dataclass
class SyntheticCinemagraphsConfig(tfds.core.BuilderConfig):
    """A motion pattern and the size of its splits.

    Attributes:
        pattern: motion pattern, one of `cinegen_tf.data.synthetic.PATTERNS`.
        num_train: sequences in the train split (paper: 95K).
        num_test: sequences in the test split (paper: 5K).
        seed: dataset seed. The content is a pure function of it.
        num_workers: rendering processes; 0 means every core this process may use.
            It changes speed only, never bytes. Default 1 (render in the build's own
            process): the renderer makes ~4,700 sequences/s in one process, TFDS's
            encoding and writing in the main process ~560/s, and shipping rendered
            arrays from a pool costs more than the rendering (2 workers: 460/s on 2
            cores; `benchmarks/synthetic_benchmark.py --workers=N`).
    """

    pattern: str = "eight"
    num_train: int = PAPER_NUM_TRAIN
    num_test: int = PAPER_NUM_TEST
    seed: int = 0
    num_workers: int = 1

    def __post_init__(self):
        synthetic.validate_pattern(self.pattern)
        _check_int(self.name, "num_train", self.num_train, 1)
        _check_int(self.name, "num_test", self.num_test, 1)
        _check_int(self.name, "seed", self.seed, 0)
        _check_int(self.name, "num_workers", self.num_workers, 0)


class DeterministicExampleWriter(tfds_writer.ExampleWriter):
    """Writes each record with its feature map in key order.

    upb orders map entries by a hash seeded per process. Without this writer, two
    builds of identical content differ in their record bytes.
    """

    def write(self, path, examples):
        return super().write(path, (
            (key, example_pb2.Example.FromString(serialized).SerializeToString(
                deterministic=True))
            for key, serialized in examples))


def _render_chunk(chunk, pattern: str, seed: int, split: str):
    """Beam FlatMap body: yields `(index, example)` for the index range `chunk`."""
    return synthetic_parallel.iter_chunk(pattern, seed, split, *chunk)


class Builder(build_folders.RemovedOnFailure, tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for the synthetic cinemagraph sequences."""

    VERSION = tfds.core.Version("2.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release.",
        "2.0.0": "Frame 0 determines the whole sequence: the length follows from the "
                 "object's size, each pattern moves at one speed (the path's extent follows "
                 "from the length), only the size and the starting place are drawn "
                 "(cinegen_tf/data/trajectories.py). New draw order: every sequence differs.",
    }
    # TFDS locates this file (and README.md, CITATIONS.bib beside it) through the top
    # package, which fails for `cinegen_datasets` (a namespace package) under an
    # editable install: state both paths.
    code_path = tfds.core.Path(__file__)
    pkg_dir_path = code_path.parent
    BUILDER_CONFIGS = [
        SyntheticCinemagraphsConfig(
            name=pattern, pattern=pattern,
            description=(f"'{pattern}' motion, {synthetic.PADDED_LENGTHS[pattern]} frames "
                         f"padded, {PAPER_NUM_TRAIN} train / {PAPER_NUM_TEST} test sequences."))
        for pattern in synthetic.PATTERNS
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        frames = synthetic.PADDED_LENGTHS[self.builder_config.pattern]
        size = synthetic.FRAME_SIZE
        # zlib over the whole clip: the background repeats within deflate's 32 KB window,
        # so a sequence takes about one PNG frame on disk (see README.md).
        zlib = tfds.features.Encoding.ZLIB
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict({
                "video": tfds.features.Tensor(
                    shape=(frames, size, size, 3), dtype=np.uint8, encoding=zlib,
                    doc="Frames in [0, 255]; frame 0 is the input image, frames >= length "
                        "are black."),
                "mask": tfds.features.Tensor(
                    shape=(frames, size, size, 1), dtype=np.uint8, encoding=zlib,
                    doc="Foreground-object mask in {0, 1} (0 on padding)."),
                "centers": tfds.features.Tensor(
                    shape=(frames, 2), dtype=np.float32,
                    doc="Object centre (y, x) in pixels, the mask centroid; (-1, -1) on "
                        "padding."),
                "length": tfds.features.Scalar(
                    dtype=np.int32, doc="True number of frames, input frame included."),
                "texture_id": tfds.features.Scalar(
                    dtype=np.int32, doc="Background texture, index into "
                                        "cinegen_tf.data.textures.TEXTURE_NAMES."),
            }),
            supervised_keys=None,
            # Saved as metadata.json: lets readers check what a prepared config holds.
            metadata=tfds.core.MetadataDict(
                pattern=self.builder_config.pattern, seed=self.builder_config.seed,
                num_train=self.builder_config.num_train, num_test=self.builder_config.num_test),
        )

    def _example_writer(self) -> tfds_writer.ExampleWriter:
        return DeterministicExampleWriter(file_format=self.info.file_format)

    def _download_and_prepare(self, dl_manager, download_config):
        # Beam is used only when asked for, i.e. when a runner or pipeline options are given.
        self._use_beam = (download_config.beam_runner is not None
                          or download_config.beam_options is not None)
        super()._download_and_prepare(dl_manager, download_config)

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Procedural data: nothing to download.
        config = self.builder_config
        return {
            "train": self._generate_examples("train", config.num_train),
            "test": self._generate_examples("test", config.num_test),
        }

    def _generate_examples(self, split: str, num_examples: int):
        """Yields (or, with Beam, returns a PTransform of) `(index, example)` pairs."""
        config = self.builder_config
        if getattr(self, "_use_beam", False):
            beam = tfds.core.lazy_imports.apache_beam
            chunks = [(lo, min(lo + BEAM_CHUNK_SIZE, num_examples))
                      for lo in range(0, num_examples, BEAM_CHUNK_SIZE)]
            return beam.Create(chunks) | beam.FlatMap(
                _render_chunk, pattern=config.pattern, seed=config.seed, split=split)
        return synthetic_parallel.iter_examples(
            config.pattern, config.seed, split, 0, num_examples,
            num_workers=config.num_workers)
