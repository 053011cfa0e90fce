"""Real data is named in the tables: a new real data set writes a new table file (and trains
its real runs in their own workdirs), never merged into the table of another data set."""
import json
import os

import pytest

from experiments import provenance, render, reproduce_lib, table_file, tables


def _json(path):
    with open(path) as f:
        return json.load(f)


def test_the_tag_is_the_manual_dirs_folder_name_except_for_the_first_data():
    tag = reproduce_lib.real_data_tag
    assert tag("../shared/data/real_cinemagraphs") == "real_cinemagraphs"
    assert tag("/data/Real_Cinemagraphs/") == "real_cinemagraphs"
    assert tag("../shared/data/real_clips") is None  # the first tables' data: no suffix
    assert tag("../shared/data/real_clips", data_tag="clips15") == "clips15"
    assert tag(None, data_tag="giphy") == "giphy"
    assert tag(None) is None
    with pytest.raises(ValueError, match="data tag 'my data!'"):
        tag(None, data_tag="my data!")


def test_new_real_data_writes_a_new_table_and_trains_apart(tmp_path, fake_make_dataset):
    manual_83 = tmp_path / "real_cinemagraphs"
    kwargs = dict(patterns=(), categories=("fire",), rows=["rnn_dqn"],
                  workdir_root=str(tmp_path / "runs"), results_dir=str(tmp_path / "results"),
                  make_dataset=fake_make_dataset)
    md_15, js_15 = reproduce_lib.reproduce(3, "smoke", real_manual_dir=str(tmp_path / "real_clips"),
                                           **kwargs)
    md_83, js_83 = reproduce_lib.reproduce(3, "smoke", real_manual_dir=str(manual_83), **kwargs)
    assert os.path.basename(js_15) == "table3_smoke.json"
    assert os.path.basename(js_83) == "table3_smoke_real_cinemagraphs.json"
    assert os.path.basename(md_83) == "table3_smoke_real_cinemagraphs.md"
    old, new = _json(js_15), _json(js_83)
    assert "data_tag" not in old and new["data_tag"] == "real_cinemagraphs"
    assert len(old["invocations"]) == len(new["invocations"]) == 1  # nothing merged
    # The same runs were trained again, in their own workdirs, not read from the first.
    assert [r["trained_in_this_invocation"] for r in new["runs"]] == [True]
    dqn = os.path.join(kwargs["workdir_root"], "smoke", "real_cinemagraphs", "real-fire-rnn_dqn")
    assert os.path.isdir(os.path.join(dqn, "checkpoints"))
    assert os.path.isdir(os.path.join(kwargs["workdir_root"], "smoke", "real-fire-rnn_dqn"))
    # Filling the new table further merges into it, not into the first one.
    reproduce_lib.reproduce(3, "smoke", data_tag="real_cinemagraphs",
                            **dict(kwargs, rows=["constant"]))
    assert len(_json(js_83)["invocations"]) == 2 and _json(js_15) == old
    # render keeps the file name; a file of one data set is not read as another's.
    md, js = render.render(js_83, str(tmp_path / "rendered"))
    assert os.path.basename(js) == "table3_smoke_real_cinemagraphs.json"
    with pytest.raises(ValueError, match="holds real data 'real_cinemagraphs', not 'real_clips'"):
        table_file.kept_runs(js_83, tables.TABLES[3], tables.SCALES["smoke"], ())


def test_synthetic_only_tables_take_no_tag(tmp_path, fake_make_dataset):
    md, js = reproduce_lib.reproduce(4, "smoke", patterns=("eight",), rows=None,
                                     workdir_root=str(tmp_path / "runs"),
                                     results_dir=str(tmp_path / "results"),
                                     make_dataset=fake_make_dataset,
                                     real_manual_dir=str(tmp_path / "real_cinemagraphs"))
    assert os.path.basename(js) == "table4_smoke.json"


def test_the_invocation_names_the_real_data_it_used(tmp_path):
    from cinegen_datasets.real_cinemagraphs import fake_manual_dir

    manual = tmp_path / "my_clips"
    sources = fake_manual_dir.write_manual_dir(manual)
    data_dir = str(tmp_path / "tfds")
    reproduce_lib.prepare_real_data(["fire"], data_dir, str(manual))
    described = reproduce_lib.describe_real_data(["fire"], data_dir, str(manual), "my_clips")
    expected = fake_manual_dir.expected_splits(sources, ("fire",))
    usable = [s for s in sources if s.category == "fire" and s.num_clips]
    assert described == {
        "tag": "my_clips", "data_dir": data_dir, "manual_dir": str(manual),
        "clips": {"fire": {split: expected[split] for split in ("train", "test")}},
        "sources": {"fire": {split: sum(s.split == split for s in usable)
                             for split in ("train", "test")}}}
    line = provenance.real_data_line(described)
    assert line.startswith(f"Real data `my_clips` (TFDS real_cinemagraphs in {data_dir}, "
                           f"built from {manual}): Fire: train {expected['train']} clips / ")
