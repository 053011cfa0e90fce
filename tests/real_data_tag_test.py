"""Real data is named in the tables: a new real data set has its own records, workdirs and
table files (its real columns only), never mixed into the table of another data set."""
import json
import os

import pytest

from experiments import records, reproduce


def test_the_tag_is_the_manual_dirs_folder_name_else_real_clips():
    tag = reproduce.real_data_tag
    assert tag("../shared/data/real_cinemagraphs") == "real_cinemagraphs"
    assert tag("/data/Real_Cinemagraphs/") == "real_cinemagraphs"
    assert tag("../shared/data/real_clips") == "real_clips"  # the first tables' data
    assert tag(None) == "real_clips"
    with pytest.raises(ValueError, match="my data!: name its folder"):
        tag("/data/my data!")


def test_new_real_data_has_its_own_records_workdirs_and_table(tmp_path, fake_make_dataset):
    kwargs = dict(categories=("fire",), rows=["rnn_dqn"], workdir_root=str(tmp_path / "runs"),
                  results_dir=str(tmp_path / "results"), make_dataset=fake_make_dataset)
    md_15, js_15 = reproduce.reproduce(3, "smoke", patterns=(), **kwargs)
    md_83, js_83 = reproduce.reproduce(
        3, "smoke", real_manual_dir=str(tmp_path / "real_cinemagraphs"), **kwargs)  # patterns:
    assert os.path.basename(js_15) == "table3_smoke.json"  # all, but not in a tagged table
    assert os.path.basename(js_83) == "table3_smoke_real_cinemagraphs.json"
    assert os.path.basename(md_83) == "table3_smoke_real_cinemagraphs.md"
    old, new = (json.load(open(p)) for p in (js_15, js_83))
    assert old["data_tag"] == "real_clips" and new["data_tag"] == "real_cinemagraphs"
    assert old["records"] == ["smoke/real_clips/real-fire-rnn_dqn.float32.json"]
    assert new["records"] == ["smoke/real_cinemagraphs/real-fire-rnn_dqn.float32.json"]
    assert "# Table 3 at the `smoke` scale on `real_cinemagraphs`" in open(md_83).read()
    # The same run was trained again, in its own workdir, not read from the first.
    for tag in ("real_clips", "real_cinemagraphs"):
        assert os.path.isdir(os.path.join(kwargs["workdir_root"], "smoke", f"{tag}-None",
                                          "real-fire-rnn_dqn.float32", "checkpoints"))
    found = records.read_all(os.path.join(kwargs["results_dir"], "runs"), "smoke")
    assert sorted(found) == ["smoke/real_cinemagraphs/real-fire-rnn_dqn.float32.json",
                             "smoke/real_clips/real-fire-rnn_dqn.float32.json"]


def test_synthetic_only_tables_take_no_tag(tmp_path, fake_make_dataset):
    md, js = reproduce.reproduce(4, "smoke", patterns=("eight",), rows=["rnn"],
                                 workdir_root=str(tmp_path / "runs"),
                                 results_dir=str(tmp_path / "results"),
                                 make_dataset=fake_make_dataset,
                                 real_manual_dir=str(tmp_path / "real_cinemagraphs"))
    assert os.path.basename(js) == "table4_smoke.json"
