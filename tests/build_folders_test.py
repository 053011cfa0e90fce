"""A failed build of our TFDS datasets leaves no folder it created under the data_dir
(cinegen_tf.data.build_folders), and nothing that was there before is touched."""
import os
import pathlib

import pytest
import tensorflow_datasets as tfds

from cinegen_datasets.real_cinemagraphs import real_cinemagraphs_dataset_builder as real_lib
from cinegen_datasets.synthetic_cinemagraphs import synthetic_cinemagraphs_dataset_builder as lib
from cinegen_tf.data import build_folders


def _tree(root):
    """{relative path: file bytes, or None for a folder} of everything under `root`."""
    tree = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            tree[os.path.relpath(os.path.join(folder, name), root)] = None
        for name in files:
            path = os.path.join(folder, name)
            tree[os.path.relpath(path, root)] = pathlib.Path(path).read_bytes()
    return tree


def _tiny(pattern):
    return lib.SyntheticCinemagraphsConfig(name=f"{pattern}_tiny", pattern=pattern,
                                           num_train=3, num_test=2)


def test_a_bad_manual_dir_leaves_no_folder_behind(tmp_path):
    data_dir = tmp_path / "a" / "tfds"  # neither folder exists yet
    builder = real_lib.Builder(config="fire", data_dir=str(data_dir))
    with pytest.raises(real_lib.ManualDirError, match="--manual_dir"):
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
            manual_dir=str(tmp_path / "no_clips")))
    assert sorted(os.listdir(tmp_path)) == [], _tree(tmp_path)


def test_an_interrupted_build_keeps_what_was_there_and_removes_only_its_own(
        tmp_path, monkeypatch):
    data_dir = tmp_path / "tfds"
    lib.Builder(config=_tiny("eight"), data_dir=str(data_dir)).download_and_prepare()
    (data_dir / "mine").mkdir()  # the user's empty folder, there before
    before = _tree(data_dir)
    generate = lib.Builder._generate_examples

    def interrupted(self, split, num_examples):
        for i, example in enumerate(generate(self, split, num_examples)):
            if i == 2:
                raise KeyboardInterrupt
            yield example

    monkeypatch.setattr(lib.Builder, "_generate_examples", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lib.Builder(config=_tiny("i"), data_dir=str(data_dir)).download_and_prepare()
    assert _tree(data_dir) == before


def test_only_folders_that_were_not_there_and_are_empty_are_removed(tmp_path):
    (tmp_path / "old").mkdir()
    created = build_folders.not_yet_there([str(tmp_path / "old/new/deeper"),
                                           str(tmp_path / "other/.config/metadata.json")])
    assert created == [str(tmp_path / p) for p in (
        "old/new/deeper", "other/.config/metadata.json", "old/new", "other/.config", "other")]
    (tmp_path / "old" / "new" / "deeper").mkdir(parents=True)
    (tmp_path / "other" / ".config").mkdir(parents=True)
    (tmp_path / "other" / ".config" / "metadata.json").write_text("{}")
    (tmp_path / "other" / "kept.txt").write_text("another process wrote here")
    assert build_folders.remove_created(created) == created[:4]
    assert _tree(tmp_path) == {"old": None, "other": None,
                               "other/kept.txt": b"another process wrote here"}
