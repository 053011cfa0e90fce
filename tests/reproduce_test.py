"""The table runner: tables as data, paper numbers, smoke-scale tables, skipping trained runs,
merging a table's columns over several invocations."""
import dataclasses
import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from cinegen_tf.training import checkpoints, precision
from experiments import paper_numbers, reproduce_lib, table_file, tables

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
PAPER = REPO_ROOT.parent / "shared" / "paper" / "image2gif_wacv2018.txt"


def _fake_data_module():
    """tests/eval_lib_test.py's fake pipeline (tests are not a package: load by path)."""
    spec = importlib.util.spec_from_file_location("eval_lib_test_data",
                                                  REPO_ROOT / "tests" / "eval_lib_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FAKE = _fake_data_module().make_fake_dataset(size=64, num_frames=4, num_test=3)


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


def test_smoke_tables_fill_every_cell_and_reuse_trained_runs(tmp_path):
    root, results = str(tmp_path / "runs"), str(tmp_path / "results")
    kwargs = dict(workdir_root=root, results_dir=results, make_dataset=FAKE)
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


def test_workdir_of_another_run_is_refused(tmp_path):
    workdir = tmp_path / "smoke" / "synthetic-eight-rnn"
    workdir.mkdir(parents=True)
    config = tables.run_config(tables.Run("synthetic", "eight", "rnn"), tables.SCALES["smoke"])
    config.train.batch_size = 7
    (workdir / "config.json").write_text(config.to_json_best_effort())
    with pytest.raises(ValueError, match="train.batch_size: 7 there, 2 now"):
        reproduce_lib.reproduce(4, "smoke", patterns=("eight",), workdir_root=str(tmp_path),
                                results_dir=str(tmp_path / "r"), make_dataset=FAKE)
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


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    """Table 3 (synthetic columns) filled by two invocations: eight, then rotate."""
    root = tmp_path_factory.mktemp("merged")
    kwargs = dict(categories=(), workdir_root=str(root / "runs"),
                  results_dir=str(root / "results"), make_dataset=FAKE)
    _, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), **kwargs)
    first = _cells(js)
    md, js = reproduce_lib.reproduce(3, "smoke", patterns=("rotate",), **kwargs)
    return kwargs, first, _cells(js), open(md).read()


def _git(*args):
    return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def _copy_results(kwargs, tmp_path):
    """kwargs writing to a copy of the merged results (tests must not change the fixture)."""
    shutil.copytree(kwargs["results_dir"], tmp_path / "results")
    return dict(kwargs, results_dir=str(tmp_path / "results"))


def _runs(data, subset):
    return {r["run"]: r for r in data["runs"] if f"-{subset}-" in r["run"]}


def _column_cells(data, column):
    return [c for c in data["cells"] if c["column"] == column]


def test_second_invocation_adds_its_columns_and_keeps_the_first(merged):
    _, first, data, text = merged
    assert [c["key"] for c in data["columns"]] == ["eight", "rotate", "synthetic_average"]
    assert _column_cells(data, "eight") == _column_cells(first, "eight")
    assert _runs(data, "eight") == _runs(first, "eight")  # invocation 1 in both
    assert data["invocations"][0] == first["invocations"][0]
    assert {r["invocation"] for r in _runs(data, "rotate").values()} == {2}
    ours = {(c["row"], c["column"], c["metric"]): c["ours"] for c in data["cells"]}
    for row in ("constant", "rnn_dqn"):  # the average is over both invocations' columns
        mean = (ours[(row, "eight", "frame_diff_psnr")] +
                ours[(row, "rotate", "frame_diff_psnr")]) / 2
        assert ours[(row, "synthetic_average", "frame_diff_psnr")] == pytest.approx(mean)
    assert "of 3 columns" in data["comparison"][0]
    assert "- Invocation 1 (finished 20" in text and ") gave Eight: wall time" in text
    assert ") gave Rotate: wall time" in text
    code = data["invocations"][1]["code"]
    assert code == table_file.code_version() and code.startswith(_git("rev-parse", "HEAD")[:10])
    assert f", code {code}) gave Rotate" in text
    assert "Our Synthetic average averages eight, rotate only" in text


def test_rerunning_a_column_replaces_only_it(merged, tmp_path):
    kwargs, _, before, _ = merged
    kwargs = _copy_results(kwargs, tmp_path)
    _, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), **kwargs)
    data = _cells(js)
    assert [c["key"] for c in data["columns"]] == ["eight", "rotate", "synthetic_average"]
    # Invocation 1 gave nothing any more: rotate's invocation is now the first, eight's the new.
    assert data["invocations"][0] == before["invocations"][1]
    assert {k: dict(r, invocation=2) for k, r in _runs(data, "rotate").items()} == \
        _runs(before, "rotate")
    assert {r["invocation"] for r in _runs(data, "eight").values()} == {2}
    assert not any(r["trained_in_this_invocation"] for r in _runs(data, "eight").values())


def test_table_of_another_budget_is_refused_before_training(merged, tmp_path, monkeypatch):
    kwargs = _copy_results(merged[0], tmp_path)
    smoke = tables.SCALES["smoke"]
    monkeypatch.setitem(tables.SCALES, "smoke", dataclasses.replace(smoke, num_steps=3))
    with pytest.raises(ValueError, match=r"table3_smoke\.json holds runs of another budget.*"
                       r"steps: 2 there, 3 at --scale=smoke now.*--fresh"):
        reproduce_lib.reproduce(3, "smoke", patterns=("o",), **kwargs)
    assert not os.path.exists(os.path.join(kwargs["workdir_root"], "smoke", "synthetic-o-rnn_dqn"))


def test_fresh_overwrites_the_table(merged, tmp_path):
    kwargs = _copy_results(merged[0], tmp_path)
    _, js = reproduce_lib.reproduce(3, "smoke", patterns=("rotate",), fresh=True, **kwargs)
    data = _cells(js)
    assert [c["key"] for c in data["columns"]] == ["rotate", "synthetic_average"]
    assert len(data["invocations"]) == 1 and not _runs(data, "eight")


def test_a_table_fills_row_by_row(merged, tmp_path):
    # The runs are trained already (merged's workdirs); only the table file is built anew.
    kwargs, first, _, _ = merged
    kwargs = dict(kwargs, results_dir=str(tmp_path / "results"))
    md, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), rows=("constant",),
                                     **kwargs)
    data, text = _cells(js), open(md).read()
    assert [r["run"] for r in data["runs"]] == ["synthetic-eight-constant"]
    dqn = [c for c in data["cells"] if c["row"] == "rnn_dqn"]
    assert dqn and all(c["ours"] is None and c["paper"] is not None for c in dqn)
    assert "| RNN+DQN | not run (" in text and "| Constant | **" in text
    assert "Cells not run yet at this scale (paper numbers only): RNN+DQN on Eight, " \
           "RNN+DQN on Synthetic average." in text
    assert not any(s.startswith("Ranking") for s in data["comparison"])  # one row only

    md, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), rows=("rnn_dqn",),
                                     **kwargs)
    data = _cells(js)
    assert data["cells"] == first["cells"] and data["comparison"] == first["comparison"]
    assert [(r["run"], r["invocation"]) for r in data["runs"]] == [
        ("synthetic-eight-constant", 1), ("synthetic-eight-rnn_dqn", 2)]
    assert "not run (" not in open(md).read() and "Cells not run" not in open(md).read()
    with pytest.raises(ValueError, match=r"rows \['rnn'\]: table 3's rows are "
                                         r"\['constant', 'rnn_dqn'\]"):
        reproduce_lib.reproduce(3, "smoke", patterns=("eight",), rows=("rnn",), **kwargs)


def test_invocation_records_the_code_it_started_with(merged, tmp_path, monkeypatch):
    # A commit made while a long invocation runs must not be credited with its numbers.
    kwargs = _copy_results(merged[0], tmp_path)
    head = {"code": "started-at"}
    monkeypatch.setattr(table_file, "code_version", lambda: head["code"])
    evaluate = reproduce_lib.evaluate_run

    def evaluate_then_commit(*args, **kw):
        head["code"] = "committed-meanwhile"
        return evaluate(*args, **kw)

    monkeypatch.setattr(reproduce_lib, "evaluate_run", evaluate_then_commit)
    _, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), **kwargs)
    assert _cells(js)["invocations"][-1]["code"] == "started-at"
