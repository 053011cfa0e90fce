"""real_cinemagraphs: the real cinemagraph dataset of Image2GIF (WACV 2018, Sec. 4.2, 5.3).

The paper's Giphy set (926 water flowing + 350 fire cinemagraphs) was never released,
so the builder reads the user's own GIFs, videos and frame folders from a manual_dir
(see `MANUAL_DOWNLOAD_INSTRUCTIONS` and README.md). Each source gives 1 to 3 clips of at
most 1 s, each sampled at 6 frames (1 input + 5 to generate), stored at 72x72 so
training can take a random 64x64 crop (`cinegen_tf.data.real_pipeline`). All the rules
live in `cinegen_tf.data.clips`; decoding in `cinegen_tf.data.video_io`. A source that
cannot be used is skipped, never fatal: each skip is logged with its file and reason, and
each split ends with a summary of the skips of its sources.
"""
import dataclasses

import numpy as np
import tensorflow_datasets as tfds
from absl import logging

from cinegen_tf import cli
from cinegen_tf.data import build_folders
from cinegen_tf.data import clips
from cinegen_tf.data import real_sources

# `tfds build` runs this module: a bad manual_dir ends it with one line, not a traceback.
cli.install_excepthook()


class ManualDirError(cli.UserError, ValueError):
    """The manual_dir is missing, empty, or holds no usable clip; the first line of the
    message says which, the instructions follow after a blank line."""

MANUAL_DOWNLOAD_INSTRUCTIONS = """\
The paper's Giphy cinemagraphs were never released: bring your own. Put them in a folder
(the manual_dir) with one sub-folder per category:

  <manual_dir>/water_flowing/   (water/ is accepted too)
  <manual_dir>/fire/

Each sub-folder holds one cinemagraph per GIF, MP4, AVI, MOV, WebM, MKV or M4V file, or
per folder of numbered frames (PNG/JPEG/BMP/TIFF/WebP, sorted numerically: 2.png before
10.png; played at 25 fps unless the folder holds fps.txt with its rate). Config
water_flowing needs only the first sub-folder, fire only the second, all needs both.
Then run from the repository root:

  tfds build datasets/real_cinemagraphs --config=all --manual_dir=<manual_dir>
"""


@dataclasses.dataclass
class RealCinemagraphsConfig(tfds.core.BuilderConfig):
    """Which categories a config holds.

    Attributes:
        categories: a non-empty subset of `cinegen_tf.data.real_sources.CATEGORIES`.
        num_workers: decoding threads; 0 means up to 4, one per core.
    """

    categories: tuple[str, ...] = real_sources.CATEGORIES
    num_workers: int = 0

    def __post_init__(self):
        unknown = set(self.categories) - set(real_sources.CATEGORIES)
        if not self.categories or unknown:
            raise ValueError(f"real_cinemagraphs config {self.name!r}: categories must be a "
                             f"non-empty subset of {real_sources.CATEGORIES}, got "
                             f"{self.categories!r}")
        if isinstance(self.num_workers, bool) or not isinstance(self.num_workers, int) \
                or self.num_workers < 0:
            raise ValueError(f"real_cinemagraphs config {self.name!r}: num_workers must be "
                             f"an integer >= 0, got {self.num_workers!r}")


class Builder(build_folders.RemovedOnFailure, tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for 6-frame clips of the user's real cinemagraphs."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    # TFDS locates this file (and README.md, CITATIONS.bib beside it) through the top
    # package, which fails for `cinegen_datasets` (a namespace package) under an
    # editable install: state both paths.
    code_path = tfds.core.Path(__file__)
    pkg_dir_path = code_path.parent
    MANUAL_DOWNLOAD_INSTRUCTIONS = MANUAL_DOWNLOAD_INSTRUCTIONS
    BUILDER_CONFIGS = [
        RealCinemagraphsConfig(name="water_flowing", categories=("water_flowing",),
                               description="Water flowing cinemagraphs only."),
        RealCinemagraphsConfig(name="fire", categories=("fire",),
                               description="Fire cinemagraphs only."),
        RealCinemagraphsConfig(name="all", categories=real_sources.CATEGORIES,
                               description="Both categories (water flowing and fire)."),
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        size, frames = real_sources.FRAME_SIZE, clips.NUM_FRAMES
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict({
                "video": tfds.features.Video(
                    shape=(frames, size, size, 3),
                    doc="Frames in [0, 255], short side resized to 72 and centre-cropped; "
                        "frame 0 is the input image, frames 1-5 the cinemagraph to "
                        "generate."),
                "timestamps": tfds.features.Tensor(
                    shape=(frames,), dtype=np.float32,
                    doc="Start time in seconds (from the source's first frame) of the "
                        "source frame shown in each stored frame."),
                "category": tfds.features.ClassLabel(names=real_sources.CATEGORIES),
                "source": tfds.features.Text(
                    doc="File or frame-folder name inside the category folder."),
                "clip_index": tfds.features.Scalar(
                    dtype=np.int32, doc="Which clip of its source (0, 1 or 2)."),
                "clip_start": tfds.features.Scalar(
                    dtype=np.float32, doc="Clip start in seconds from the source's start."),
                "clip_length": tfds.features.Scalar(
                    dtype=np.float32, doc="Clip length in seconds (at most 1)."),
                "source_duration": tfds.features.Scalar(
                    dtype=np.float32, doc="The source's duration in seconds."),
            }),
            supervised_keys=None,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        try:  # TFDS refuses a missing or empty manual_dir, with the instructions
            manual_dir = dl_manager.manual_dir
        except AssertionError as error:
            first = " ".join(str(error).split("Create it and", 1)[0].split())
            raise ManualDirError(f"--manual_dir: {first}\n\n{MANUAL_DOWNLOAD_INSTRUCTIONS}"
                                 ) from error
        config, skip_log = self.builder_config, real_sources.SkipLog()
        try:
            sources = real_sources.find_sources(manual_dir, config.categories, skip_log)
        except ValueError as error:
            raise ManualDirError(f"{error}\n\n{MANUAL_DOWNLOAD_INSTRUCTIONS}") from error
        plans = real_sources.plan_sources(sources, skip_log, config.num_workers or None)
        split_plans = {split: [p for p in plans if p.source.split == split]
                       for split in clips.SPLITS}
        if not plans:
            raise ManualDirError(
                f"{manual_dir}: no usable clip in categories {config.categories} "
                f"({len(sources)} sources; {skip_log.summary()})\n\n"
                f"{MANUAL_DOWNLOAD_INSTRUCTIONS}")
        for split, in_split in split_plans.items():
            if not in_split:
                logging.warning("real_cinemagraphs/%s: no source hashes into split %r; the "
                                "split is left out (add more sources)", config.name, split)
        return {split: self._generate_examples(split, in_split, skip_log)
                for split, in_split in split_plans.items() if in_split}

    def _generate_examples(self, split: str, plans, skip_log: real_sources.SkipLog):
        """Yields `("category/name/clip_index", example)` for every clip of `plans`."""
        config, count, used = self.builder_config, 0, set()
        for sampled in real_sources.sample_sources(plans, skip_log,
                                                   workers=config.num_workers or None):
            source, clip = sampled.plan.source, sampled.clip
            count, _ = count + 1, used.add(source.label)
            yield f"{source.label}/{clip.index}", {
                "video": sampled.frames,
                "timestamps": sampled.timestamps.astype(np.float32),
                "category": source.category,
                "source": source.name,
                "clip_index": clip.index,
                "clip_start": clip.start,
                "clip_length": clip.length,
                "source_duration": sampled.plan.timeline.duration,
            }
        logging.info("real_cinemagraphs/%s split %r: %d examples from %d sources; %s",
                     config.name, split, count, len(used), skip_log.summary(split))
        if not count:
            raise ValueError(f"real_cinemagraphs/{config.name} split {split!r}: every source "
                             f"failed to decode; {skip_log.summary(split)}")
