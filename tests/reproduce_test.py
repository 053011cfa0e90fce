"""The table runner: tables as data, paper numbers, smoke-scale tables, skipping trained runs."""
import importlib.util
import json
import os
import pathlib
import re

import pytest

from experiments import paper_numbers, reproduce_lib, tables

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


def test_cpu_scale_config():
    cpu = tables.SCALES["cpu"]
    config = tables.run_config(tables.Run("synthetic", "rotate", "mathieu"), cpu)
    assert config.train.num_steps == cpu.num_steps and config.train.batch_size == cpu.batch_size
    assert config.mathieu.patch_size == 32 and config.data.pattern == "rotate"
    config = tables.run_config(tables.Run("synthetic", "eight", "rnn_dqn", z_dim=4), cpu)
    assert config.train.mixed_precision and config.model.z_dim == 4
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
    assert "- Hardware: " in text and "Wall time of this invocation" in text
    dqn_index = os.path.join(root, "smoke", "synthetic-eight-rnn_dqn", "checkpoints",
                             "ckpt-2.index")
    mtime = os.path.getmtime(dqn_index)

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


def test_workdir_of_another_run_is_refused(tmp_path):
    workdir = tmp_path / "smoke" / "synthetic-eight-rnn"
    workdir.mkdir(parents=True)
    config = tables.run_config(tables.Run("synthetic", "eight", "rnn"), tables.SCALES["smoke"])
    config.train.batch_size = 7
    (workdir / "config.json").write_text(config.to_json_best_effort())
    with pytest.raises(ValueError, match="train.batch_size: 7 there, 2 now"):
        reproduce_lib.reproduce(4, "smoke", patterns=("eight",), workdir_root=str(tmp_path),
                                results_dir=str(tmp_path / "r"), make_dataset=FAKE)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="tables are"):
        reproduce_lib.reproduce(6, "smoke")
    with pytest.raises(ValueError, match="scale"):
        reproduce_lib.reproduce(1, "huge")
    with pytest.raises(ValueError, match="unknown pattern \\['eigth'\\]"):
        reproduce_lib.reproduce(1, "smoke", patterns=("eigth",))
