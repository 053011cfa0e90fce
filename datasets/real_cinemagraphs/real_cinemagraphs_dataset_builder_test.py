"""Tests of the real_cinemagraphs builder on a generated manual_dir (fake_manual_dir)."""
import atexit
import functools
import pathlib
import shutil
import tempfile
import unittest

import numpy as np
import tensorflow_datasets as tfds

from cinegen_datasets.real_cinemagraphs import fake_manual_dir
from cinegen_datasets.real_cinemagraphs import real_cinemagraphs_dataset_builder as builder_lib
from cinegen_tf.data import clips


@functools.cache
def _manual_dir():
    """One generated manual_dir shared by every test here, removed at exit."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="real_cinemagraphs_manual_"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root, tuple(fake_manual_dir.write_manual_dir(root))


class _ConfigTest(tfds.testing.DatasetBuilderTestCase):
    """TFDS's standard checks (features, split sizes, reload, no overlap) per config."""

    DATASET_CLASS = builder_lib.Builder
    SKIP_CHECKSUMS = True
    CATEGORIES = ()

    @classmethod
    def setUpClass(cls):
        root, sources = _manual_dir()
        cls.EXAMPLE_DIR = str(root)
        cls.SPLITS = fake_manual_dir.expected_splits(sources, cls.CATEGORIES)
        super().setUpClass()


class WaterFlowingConfigTest(_ConfigTest):
    BUILDER_CONFIG_NAMES_TO_TEST = ["water_flowing"]
    CATEGORIES = ("water_flowing",)


class FireConfigTest(_ConfigTest):
    BUILDER_CONFIG_NAMES_TO_TEST = ["fire"]
    CATEGORIES = ("fire",)


class AllConfigTest(_ConfigTest):
    BUILDER_CONFIG_NAMES_TO_TEST = ["all"]
    CATEGORIES = ("water_flowing", "fire")


class ContentTest(unittest.TestCase):
    """What the examples hold: shapes, timing, clip and split rules, the skip report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        root, cls.sources = _manual_dir()
        cls.data_dir = tempfile.mkdtemp(prefix="real_cinemagraphs_data_")
        builder = builder_lib.Builder(config="all", data_dir=cls.data_dir)
        with cls().assertLogs("absl", level="INFO") as logs:
            builder.download_and_prepare(
                download_config=tfds.download.DownloadConfig(manual_dir=str(root)))
        cls.log = "\n".join(logs.output)
        cls.examples = {
            split: list(tfds.as_numpy(builder.as_dataset(split=split)))
            for split in builder.info.splits}
        cls.names = builder.info.features["category"].names

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.data_dir, ignore_errors=True)
        super().tearDownClass()

    def _by_source(self):
        grouped = {}
        for split, examples in self.examples.items():
            for ex in examples:
                key = (self.names[ex["category"]], ex["source"].decode())
                grouped.setdefault(key, []).append((split, ex))
        return grouped

    def test_every_usable_source_gives_its_clips_in_its_split(self):
        grouped = self._by_source()
        for source in self.sources:
            got = grouped.get((source.category, source.name), [])
            self.assertEqual(len(got), source.num_clips, source.name)
            for split, ex in got:
                self.assertEqual(split, source.split, source.name)
                self.assertEqual(split, clips.split_for_source(source.category, source.name))
        self.assertEqual(len(grouped), sum(1 for s in self.sources if s.num_clips))

    def test_shapes_and_dtypes(self):
        for examples in self.examples.values():
            for ex in examples:
                self.assertEqual(ex["video"].shape, (6, 72, 72, 3))
                self.assertEqual(ex["video"].dtype, np.uint8)
                self.assertEqual(ex["timestamps"].shape, (6,))

    def test_clip_rules_and_sampled_frames(self):
        sources = {(s.category, s.name): s for s in self.sources}
        for (category, name), got in self._by_source().items():
            source = sources[(category, name)]
            duration = got[0][1]["source_duration"]
            starts = sorted(float(ex["clip_start"]) for _, ex in got)
            np.testing.assert_allclose(starts, clips.clip_starts(duration), atol=1e-5)
            for _, ex in got:
                self.assertAlmostEqual(ex["clip_length"], min(1.0, duration), places=5)
                times = clips.sample_times(float(ex["clip_start"]), float(ex["clip_length"]))
                # The frame showing at each sample time: its true start, and its pixels.
                frame_starts = np.asarray(source.frame_starts)
                expected = np.searchsorted(frame_starts, times + 1e-6, "right") - 1
                np.testing.assert_allclose(ex["timestamps"], frame_starts[expected], atol=1e-4)
                decoded = [fake_manual_dir.frame_index(f) for f in ex["video"]]
                self.assertEqual(decoded, expected.tolist(), name)

    def test_every_skip_is_reported_with_its_reason(self):
        reasons = {"garbage.mp4": "cannot open", "still.gif": "single frame",
                   "empty.avi": "empty file", "notes.txt": "unsupported file type",
                   "truncated.mp4": "cannot open", "frozen.gif": "samples show source frame"}
        summary_lines = [line for line in self.log.splitlines() if "skipped" in line]
        for name, reason in reasons.items():
            self.assertTrue(any(name in line and reason in line for line in summary_lines),
                            f"{name} ({reason}) not reported in:\n{self.log}")
        self.assertIn("split 'train'", self.log)
        self.assertIn("split 'test'", self.log)


del _ConfigTest  # a base class: its subclasses pick the config


class ManualDirErrorTest(unittest.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="real_cinemagraphs_err_"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def _build(self, manual_dir, config="fire"):
        builder = builder_lib.Builder(config=config, data_dir=str(self.tmp / "data"))
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))

    def _write(self, relative_path, content):
        path = self.tmp / "manual" / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return self.tmp / "manual"

    def test_missing_manual_dir_gives_the_instructions(self):
        with self.assertRaisesRegex(Exception, "one sub-folder per category"):
            self._build(self.tmp / "nowhere")

    def test_empty_manual_dir_gives_the_instructions(self):
        (self.tmp / "empty").mkdir()
        with self.assertRaisesRegex(Exception, "empty(.|\n)*one sub-folder per category"):
            self._build(self.tmp / "empty")

    def test_manual_dir_without_category_folder_gives_the_instructions(self):
        root = self._write("water/clip.gif", b"x")
        with self.assertRaisesRegex(ValueError, r"no folder fire/(.|\n)*one sub-folder"):
            self._build(root, config="fire")

    def test_only_broken_files_is_a_clear_error(self):
        root = self._write("fire/bad.mp4", b"not a video")
        with self.assertRaisesRegex(ValueError, r"no usable clip(.|\n)*bad\.mp4"):
            self._build(root)


if __name__ == "__main__":
    unittest.main()
