"""Tables are pure functions of run records: the committed tables are their records'
rendering (never edited by hand), a run in two precisions is read in the table's, and cells
of differing data versions or budgets say so."""
import copy
import json
import os
import pathlib

import pytest

from experiments import records, report, tables

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "experiments" / "results"


@pytest.mark.parametrize("table,scale,tag", report.committed(RESULTS),
                         ids=lambda x: getattr(x, "name", str(getattr(x, "number", x))))
def test_committed_tables_are_the_rendering_of_their_records(table, scale, tag):
    md, data = report.render(table, scale, str(RESULTS / "runs"), tag)
    stem = RESULTS / report.stem(table.number, scale.name, tag)
    hint = f"{stem.name} is not what its records render to; run python -m experiments.report"
    assert stem.with_suffix(".md").read_text() == md, hint
    assert json.loads(stem.with_suffix(".json").read_text()) == json.loads(json.dumps(data)), hint


def test_committed_records_are_valid_and_where_they_belong():
    found = records.read_all(str(RESULTS / "runs"), "cpu")
    assert len(found) >= 62
    for path, record in found.items():
        # Migrated from the tables of the first synthetic data (1.0.0) and real_cinemagraphs
        # 1.0.0; a rerun replaces its record and says its own version.
        if "migrated" in record:
            assert record["data"]["version"] == "1.0.0", path
        assert record["data"]["kind"] == record["run"].split("-")[0], path


def _record(run, precision="float32", version="2.0.0", steps=2, **metrics):
    kind, subset = run.split("-")[:2]
    return {"format": 1, "run": run, "method": run.split("-")[2], "scale": "smoke",
            "data": {"kind": kind, "subset": subset, "version": version,
                     "tag": "synthetic" if kind == "synthetic" else "real_clips"},
            "config": {"file": "f", "overrides": {}}, "steps": steps, "batch_size": 2,
            "precision": precision, "z_dim": 4, "num_actions": None, "mathieu_patch_size": None,
            "seeds": {"train": 0, "data": 0}, "test_sequences": 4, "code": "c",
            "hardware": {"cpu": "CPU", "cpu_flags": [], "usable_cores": 2,
                         "load_average_1_5_15_min": [1.0, 1.0, 1.0]},
            "train_seconds": 60.0, "train_time_complete": True, "eval_seconds": 1.0,
            "metrics": dict({"psnr": 20.0, "ssim": 0.5}, **metrics)}


def _table1(tmp_path, *found):
    for record in found:
        records.write(str(tmp_path), record)
    md, data = report.render(tables.TABLES[1], tables.SCALES["smoke"], str(tmp_path))
    return md, {(c["row"], c["column"], c["metric"]): c for c in data["cells"]}, data


def test_a_run_in_both_precisions_is_read_in_the_tables(tmp_path):
    runs = ["synthetic-eight-mathieu", "synthetic-eight-rnn", "synthetic-eight-rnn_dqn"]
    md, cells, data = _table1(
        tmp_path, *[_record(r, "bfloat16", psnr=10.0) for r in runs],
        _record(runs[1], "float32", psnr=30.0))
    assert data["precision"] == "bfloat16" and cells[("rnn", "eight", "psnr")]["ours"] == 10.0
    assert "this table reads its bfloat16 record" in md
    # Float32 for most runs: the table reads float32, and the bfloat16-only run says so.
    md, cells, data = _table1(tmp_path, _record(runs[2], "float32", psnr=30.0),
                              *[_record(r.replace("eight", "rotate")) for r in runs])
    assert data["precision"] == "float32" and cells[("rnn", "eight", "psnr")]["ours"] == 30.0
    assert cells[("mathieu", "eight", "psnr")]["marks"] == ["bfloat16"]
    assert cells[("rnn", "eight", "psnr")]["marks"] == ["float32"]
    assert "| **10.00** (19.9538), bfloat16 |" in md
    assert "The synthetic cells do not all share one precision" in md


def test_cells_of_another_data_version_say_so(tmp_path):
    old = [_record(f"synthetic-{p}-rnn", version="1.0.0") for p in ("eight", "rotate")]
    md, cells, _ = _table1(tmp_path, *old)
    assert all(c["marks"] == [] for c in cells.values())
    assert "synthetic_cinemagraphs version 1.0.0, procedural (Eight; Rotate)" in md
    md, cells, _ = _table1(tmp_path, _record("synthetic-rotate-rnn", version="2.0.0", psnr=25.0))
    assert cells[("rnn", "eight", "psnr")]["marks"] == ["data 1.0.0"]
    assert cells[("rnn", "rotate", "psnr")]["marks"] == ["data 2.0.0"]
    assert "version 1.0.0, procedural (Eight)" in md and "version 2.0.0, procedural (Rotate)" in md
    assert "do not all share one data" in md
    records.write(str(tmp_path), dict(_record("synthetic-eight-rnn_dqn", version="1.0.0")))
    records.write(str(tmp_path), dict(_record("synthetic-rotate-rnn_dqn", version="2.0.0")))
    md, data = report.render(tables.TABLES[5], tables.SCALES["smoke"], str(tmp_path))
    original = next(c for c in data["cells"] if (c["row"], c["column"]) == ("original",
                                                                              "synthetic"))
    assert original["marks"] == ["data 1.0.0 + data 2.0.0"]  # an average over both, shown


def test_records_of_another_kind_or_place_are_refused(tmp_path):
    record = _record("synthetic-eight-rnn")
    path = records.write(str(tmp_path), record)
    assert path.endswith(os.path.join("smoke", "synthetic", "synthetic-eight-rnn.float32.json"))
    os.rename(path, path.replace("rnn.float32", "rnn_dqn.float32"))
    with pytest.raises(ValueError, match="holds the record of smoke/synthetic/synthetic-eight-"
                                         "rnn.float32.json"):
        records.read_all(str(tmp_path), "smoke")
    broken = copy.deepcopy(record)
    del broken["metrics"]
    with open(path.replace("rnn.float32", "rnn_dqn.float32"), "w") as f:
        json.dump(broken, f)
    with pytest.raises(ValueError, match=r"synthetic-eight-rnn_dqn\.float32\.json is not a run "
                                         r"record \(metrics missing"):
        records.read_all(str(tmp_path), "smoke")


def test_a_run_is_read_on_the_newest_data_version_it_has(tmp_path):
    runs = ["synthetic-eight-mathieu", "synthetic-eight-rnn", "synthetic-eight-rnn_dqn"]
    old = [_record(r, "bfloat16", version="1.0.0", psnr=10.0) for r in runs]
    # rnn rerun on 2.0.0 in the other precision: read there, though most runs are bfloat16.
    md, cells, data = _table1(tmp_path, *old, _record(runs[1], "float32", psnr=30.0))
    assert data["precision"] == "bfloat16" and cells[("rnn", "eight", "psnr")]["ours"] == 30.0
    assert cells[("rnn", "eight", "psnr")]["marks"] == ["data 2.0.0", "float32"]
    assert cells[("mathieu", "eight", "psnr")]["marks"] == ["data 1.0.0", "bfloat16"]
