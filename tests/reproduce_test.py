"""The table runner: tables as data, paper numbers, smoke-scale tables, skipping trained runs
(a table merged over several invocations: table_merge_test.py)."""
import json
import os
import pathlib
import re
import sys

import pytest

from cinegen_tf.training import checkpoints, precision
from experiments import paper_numbers, reproduce_lib, tables

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
PAPER = REPO_ROOT.parent / "shared" / "paper" / "image2gif_wacv2018.txt"


def test_paper_numbers_are_the_papers_digits():
    if not PAPER.is_file():
        pytest.skip(f"paper text not found at {PAPER}")
    text = PAPER.read_text()
    for number, table in paper_numbers.TABLES.items():
        for row, cells in table.items():
            for column, value in cells.items():
                for v in (value if isinstance(value, tuple) else (value,)):
                    assert f"{v:.4f}" in text, (number, row, column, v)


def test_every_cell_of_every_table_has_a_paper_number():
    for number, table in tables.TABLES.items():
        cols = __import__("experiments.report", fromlist=["columns"]).columns(
            table, tables.PATTERNS, tables.CATEGORIES)
        for row in table.rows:
            for column in cols:
                value = paper_numbers.TABLES[number][row.key][column.key]
                assert len(value if isinstance(value, tuple) else (value,)) == \
                    (1 if table.metrics == ("centre_distance",) else 2)


def test_runs_are_shared_between_tables():
    eight_dqn = tables.Run("synthetic", "eight", "rnn_dqn")
    for number in (1, 3, 4, 5):
        assert eight_dqn in tables.TABLES[number].runs(("eight",), ())
    names = [r.name for r in tables.TABLES[5].runs(tables.PATTERNS, tables.CATEGORIES)]
    assert len(names) == len(set(names)) == 5 * 8
    assert "synthetic-rotate-rnn_dqn-z4" in names and "real-fire-rnn_dqn-q2048" in names


@pytest.mark.parametrize("native", [True, False])
def test_cpu_scale_config(native, monkeypatch):
    monkeypatch.setattr(precision, "native_bfloat16", lambda: native)
    cpu = tables.SCALES["cpu"]
    config = tables.run_config(tables.Run("synthetic", "rotate", "mathieu"), cpu)
    assert config.train.num_steps == cpu.num_steps and config.train.batch_size == cpu.batch_size
    assert config.mathieu.patch_size == 32 and config.data.pattern == "rotate"
    config = tables.run_config(tables.Run("synthetic", "eight", "rnn_dqn", z_dim=4), cpu)
    assert config.train.mixed_precision is native and config.model.z_dim == 4
    assert config.model.num_actions == 64
    assert config.dqn.epsilon_decay_steps == round(cpu.num_steps / 3)
    real = tables.run_config(tables.Run("real", "fire", "rnn_dqn"), cpu, real_data_dir="/d")
    assert real.model.z_dim == 512 and real.data.data_dir == "/d"
    paper = tables.run_config(tables.Run("synthetic", "i", "rnn"), tables.SCALES["paper"])
    assert paper.train.num_steps == 6000 and paper.train.batch_size == 64


def _cells(path):
    with open(path) as f:
        return json.load(f)


def test_smoke_tables_fill_every_cell_and_reuse_trained_runs(tmp_path, fake_make_dataset):
    root, results = str(tmp_path / "runs"), str(tmp_path / "results")
    kwargs = dict(workdir_root=root, results_dir=results, make_dataset=fake_make_dataset)
    md, js = reproduce_lib.reproduce(4, "smoke", patterns=("eight",), **kwargs)
    assert os.path.basename(md) == "table4_smoke.md"
    data = _cells(js)
    assert len(data["cells"]) == 2
    for cell in data["cells"]:  # a 2-step model may match the object in no frame at all
        assert 0.0 <= cell["no_match_rate"] <= 1.0
        assert (cell["ours"] is None) == (cell["no_match_rate"] == 1.0)
    text = open(md).read()
    assert "2.4735" in text and "2.3181" in text  # the paper's Eight column beside ours
    assert re.search(r"\*\*(\d+\.\d+|n/a)\*\* \(2\.3181\), no match in \d+% of frames", text)
    assert "Hardware: " in text and "- Invocation 1 (finished 20" in text
    dqn_index = os.path.join(root, "smoke", "synthetic-eight-rnn_dqn", "checkpoints",
                             "ckpt-2.index")
    mtime = os.path.getmtime(dqn_index)
    first_runs = {r["run"]: r for r in data["runs"]}
    assert all(r["train_seconds"] > 0 and r["train_time_complete"] for r in data["runs"])

    # Table 3 shares RNN+DQN on eight: evaluated again from its result.json, not retrained.
    md, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), categories=("fire",),
                                     **kwargs)
    data = _cells(js)
    assert os.path.getmtime(dqn_index) == mtime
    runs = {r["run"]: r for r in data["runs"]}
    assert not runs["synthetic-eight-rnn_dqn"]["trained_in_this_invocation"]
    assert runs["real-fire-rnn_dqn"]["trained_in_this_invocation"]
    assert runs["synthetic-eight-constant"]["steps"] == 0
    assert {c["column"] for c in data["cells"]} == {"eight", "synthetic_average", "fire",
                                                    "real_average"}
    assert all(c["ours"] is not None for c in data["cells"])
    text = open(md).read()
    assert "28.9732" in text and "Synthetic average" in text
    assert "I, O, L, Rotate, Scale, Water flowing" in text  # columns not run, named
    # Training time comes from the log kept with the checkpoints, whichever table asks.
    dqn = runs["synthetic-eight-rnn_dqn"]
    assert dqn["train_seconds"] == first_runs["synthetic-eight-rnn_dqn"]["train_seconds"]

    # A run resumed from a checkpoint older than the log shows a lower bound; one with no
    # log at all, none; one trained before the log existed, its old reproduce_run.json.
    rnn = os.path.join(root, "smoke", "synthetic-eight-rnn")
    checkpoints.record_train_time(rnn, 2, 90.0, complete=False)
    os.remove(os.path.join(os.path.dirname(dqn_index), checkpoints.TRAIN_TIME_FILE))
    md, js = reproduce_lib.reproduce(4, "smoke", patterns=("eight",), **kwargs)
    runs = {r["run"]: r for r in _cells(js)["runs"]}
    assert runs["synthetic-eight-rnn"]["train_seconds"] == 90.0
    assert runs["synthetic-eight-rnn_dqn"]["train_seconds"] is None
    text = open(md).read()
    assert re.search(r"\| synthetic-eight-rnn \(z=\d+\) \| 1 \| 2 \| 2 \| float32 \| 4 \| "
                     r"≥ 1\.5 \|", text)
    assert re.search(r"\| synthetic-eight-rnn_dqn \(.*\| float32 \| 4 \| n/a \|", text)
    assert "Training time of the runs (whenever trained): at least 1.5 min" in text
    assert re.search(r"synthetic-eight-rnn: resumed from a checkpoint saved before .*; "
                     r"synthetic-eight-rnn_dqn: no training time was logged", text)
    workdir = os.path.dirname(os.path.dirname(dqn_index))
    with open(os.path.join(workdir, reproduce_lib.LEGACY_RUN_FILE), "w") as f:
        json.dump({"train_seconds": 12.5, "sessions": 1}, f)
    assert reproduce_lib.train_time(workdir) == {"train_seconds": 12.5,
                                                 "train_time_complete": True}


def test_workdir_of_another_run_is_refused(tmp_path, fake_make_dataset):
    workdir = tmp_path / "smoke" / "synthetic-eight-rnn"
    workdir.mkdir(parents=True)
    config = tables.run_config(tables.Run("synthetic", "eight", "rnn"), tables.SCALES["smoke"])
    config.train.batch_size = 7
    (workdir / "config.json").write_text(config.to_json_best_effort())
    with pytest.raises(ValueError, match="train.batch_size: 7 there, 2 now"):
        reproduce_lib.reproduce(4, "smoke", patterns=("eight",), workdir_root=str(tmp_path),
                                results_dir=str(tmp_path / "r"), make_dataset=fake_make_dataset)
    # How often a run is checkpointed may change under it: nothing it computes depends on it.
    now = tables.run_config(tables.Run("synthetic", "eight", "rnn"), tables.SCALES["smoke"])
    config.train.update(batch_size=now.train.batch_size, checkpoint_every=7, keep_checkpoints=9)
    (workdir / "config.json").write_text(config.to_json_best_effort())
    reproduce_lib._check_same_config(now, str(workdir))


@pytest.mark.parametrize("installed", [True, False])
def test_real_data_is_prepared_from_a_manual_dir(installed, tmp_path, monkeypatch):
    from cinegen_datasets.real_cinemagraphs import fake_manual_dir
    from cinegen_tf.data import real_pipeline

    fake_manual_dir.write_manual_dir(tmp_path / "manual")
    if not installed:  # run from a checkout: the builder is loaded from datasets/ by path
        monkeypatch.setitem(sys.modules, "cinegen_datasets.real_cinemagraphs", None)
        assert reproduce_lib.real_builder_module().Builder.name == "real_cinemagraphs"
    data_dir = str(tmp_path / "tfds")
    with pytest.raises(FileNotFoundError):
        real_pipeline.prepared_builder("fire", data_dir)
    reproduce_lib.prepare_real_data(["fire"], data_dir, str(tmp_path / "manual"))
    builder = real_pipeline.prepared_builder("fire", data_dir)
    assert builder.info.splits["test"].num_examples > 0


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="tables are"):
        reproduce_lib.reproduce(6, "smoke")
    with pytest.raises(ValueError, match="scale"):
        reproduce_lib.reproduce(1, "huge")
    with pytest.raises(ValueError, match="unknown pattern \\['eigth'\\]"):
        reproduce_lib.reproduce(1, "smoke", patterns=("eigth",))
