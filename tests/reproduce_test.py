"""The table runner: tables as data, paper numbers, smoke-scale tables end to end (train,
score, record, render), runs trained once and shared, other runs' records kept."""
import json
import os
import pathlib
import re

import pytest

from cinegen_tf.training import checkpoints, precision
from experiments import paper_numbers, records, report, reproduce, tables
from experiments.configs import quickstart

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
        for row in table.rows:
            for column in report.columns(table, tables.PATTERNS, tables.CATEGORIES):
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
    run = tables.Run("synthetic", "eight", "rnn_dqn", z_dim=4)
    config = tables.run_config(run, cpu)
    assert config.train.mixed_precision is native and config.model.z_dim == 4
    assert config.model.num_actions == 64
    assert config.dqn.epsilon_decay_steps == round(cpu.num_steps / 3)
    assert records.overrides(tables.base_config(run), config)["model.z_dim"] == 4
    assert tables.config_file(run) == "experiments/configs/synthetic.py:eight,rnn_dqn"
    constant = tables.run_config(tables.Run("synthetic", "eight", "constant"), cpu)
    assert constant.train.mixed_precision is False  # scored in float32: no precision of its own
    real = tables.run_config(tables.Run("real", "fire", "rnn_dqn"), cpu, real_data_dir="/d")
    assert real.model.z_dim == 512 and real.data.data_dir == "/d"
    paper = tables.run_config(tables.Run("synthetic", "i", "rnn"), tables.SCALES["paper"])
    assert paper.train.num_steps == 6000 and paper.train.batch_size == 64
    ours = tables.run_config(tables.Run("synthetic", "rotate", "layered"), cpu)
    budget = quickstart.get_config()  # our generator at the paper rows' wall time
    assert ours.train.num_steps == cpu.ours_num_steps == budget.train.num_steps
    assert ours.dqn.epsilon_decay_steps == budget.dqn.epsilon_decay_steps
    assert ours.train.mixed_precision is native and ours.model.transform
    real_ours = tables.run_config(tables.Run("real", "fire", "layered"), cpu)
    assert real_ours.train.num_steps == cpu.num_steps


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, fake_make_dataset):
    """Table 4 on eight, then Table 3 on eight and fire (sharing RNN+DQN on eight)."""
    root = tmp_path_factory.mktemp("smoke")
    kwargs = dict(workdir_root=str(root / "runs"), results_dir=str(root / "results"),
                  make_dataset=fake_make_dataset)
    table4 = reproduce.reproduce(4, "smoke", patterns=("eight",), **kwargs)
    found4 = records.read_all(os.path.join(kwargs["results_dir"], "runs"), "smoke")
    version = reproduce.describe_data("synthetic", "eight", None)["version"]
    dqn = os.path.join(root, "runs", "smoke", f"synthetic-{version}",
                       "synthetic-eight-rnn_dqn.float32")
    mtime = os.path.getmtime(os.path.join(dqn, "checkpoints", "ckpt-2.index"))
    table3 = reproduce.reproduce(3, "smoke", patterns=("eight",), categories=("fire",), **kwargs)
    return kwargs, table4, found4, table3, dqn, mtime


def _json(path):
    with open(path) as f:
        return json.load(f)


def test_a_smoke_table_is_trained_scored_recorded_and_rendered(smoke):
    kwargs, (md, js), found, _, dqn, _ = smoke
    assert os.path.basename(md) == "table4_smoke.md"
    assert sorted(found) == ["smoke/synthetic/synthetic-eight-rnn.float32.json",
                             "smoke/synthetic/synthetic-eight-rnn_dqn.float32.json"]
    record = found["smoke/synthetic/synthetic-eight-rnn_dqn.float32.json"]
    version = reproduce.describe_data("synthetic", "eight", None)["version"]
    assert record["data"]["version"] == version
    assert record["config"]["file"] == "experiments/configs/synthetic.py:eight,rnn_dqn"
    assert record["config"]["overrides"]["train.num_steps"] == record["steps"] == 2
    assert record["batch_size"] == 2 and record["precision"] == "float32"
    assert record["code"] and record["hardware"]["cpu"] and record["test_sequences"] == 4
    assert record["train_seconds"] > 0 and record["train_time_complete"]
    assert record == _json(os.path.join(dqn, "result.json"))["record"]  # the workdir's copy
    data = _json(js)
    assert data["records"] == ["smoke/synthetic/synthetic-eight-rnn.float32.json",
                               "smoke/synthetic/synthetic-eight-rnn_dqn.float32.json"]
    for cell in data["cells"]:  # a 2-step model may match the object in no frame at all
        run = found[f"smoke/synthetic/synthetic-eight-{cell['row']}.float32.json"]
        assert cell["ours"] == run["metrics"]["centre_distance"]
        assert (cell["ours"] is None) == (run["metrics"]["no_match_rate"] == 1.0)
    text = open(md).read()
    assert re.search(r"\*\*(\d+\.\d+|n/a)\*\* \(2\.3181\), no match in \d+% of frames", text)
    assert "never edited by hand" in text and f"synthetic_cinemagraphs version {version}" in text
    assert re.search(rf"\| synthetic-eight-rnn \(z=64\) \| synthetic {re.escape(version)} \| "
                     r"2 \| 2 \| float32 \| 4 \| .*cores.* \| \d+\.\d \| \d+ \|", text)
    # The table is a pure function of the records: rendering again gives the same file.
    assert report.render(tables.TABLES[4], tables.SCALES["smoke"],
                         os.path.join(kwargs["results_dir"], "runs"))[0] == text


def test_a_run_shared_by_tables_is_trained_once_and_other_records_are_kept(smoke):
    kwargs, _, found4, (md, js), dqn, mtime = smoke
    assert os.path.getmtime(os.path.join(dqn, "checkpoints", "ckpt-2.index")) == mtime
    found = records.read_all(os.path.join(kwargs["results_dir"], "runs"), "smoke")
    assert all(found[path] == record for path, record in found4.items())  # not made again
    assert "smoke/real_clips/real-fire-rnn_dqn.float32.json" in found
    assert found["smoke/synthetic/synthetic-eight-constant.float32.json"]["steps"] == 0
    data = _json(js)
    assert {c["column"] for c in data["cells"]} == {"eight", "synthetic_average", "fire",
                                                    "real_average"}
    assert all(c["ours"] is not None for c in data["cells"])
    text = open(md).read()
    assert "28.9732" in text and "Synthetic average" in text
    assert "I, O, L, Rotate, Scale, Water flowing" in text  # columns not run, named
    # Table 4's file is still its rendering: Table 3's records do not change it.
    path = os.path.join(kwargs["results_dir"], "table4_smoke.md")
    assert report.render(tables.TABLES[4], tables.SCALES["smoke"],
                         os.path.join(kwargs["results_dir"], "runs"))[0] == open(path).read()


def test_a_table_fills_row_by_row_and_names_lower_bounds(smoke, tmp_path, monkeypatch):
    # The runs are trained already (the fixture's workdirs); only new records and tables.
    kwargs = dict(smoke[0], results_dir=str(tmp_path))
    monkeypatch.setattr(records, "code_version", lambda: "at-start")
    md, js = reproduce.reproduce(3, "smoke", patterns=("eight",), categories=(),
                                 rows=("constant",), **kwargs)
    text = open(md).read()
    assert "| RNN+DQN | not run (" in text and "| Constant | **" in text
    assert "Cells not run yet at this scale (paper numbers only): RNN+DQN on Eight, " \
           "RNN+DQN on Synthetic average." in text
    # A run resumed from a checkpoint older than the time log shows a lower bound.
    workdir = smoke[4]
    checkpoints.record_train_time(workdir, 2, 90.0, complete=False)
    result = _json(os.path.join(workdir, "result.json"))
    del result["record"]  # as if scored anew
    checkpoints.write_atomically(os.path.join(workdir, "result.json"), json.dumps(result))
    md, js = reproduce.reproduce(3, "smoke", patterns=("eight",), categories=(),
                                 rows=("rnn_dqn",), **kwargs)
    text = open(md).read()
    assert "not run (" not in text and "Cells not run" not in text
    assert re.search(r"\| synthetic-eight-rnn_dqn \(.*\| float32 \| 4 \| .* \| at-start \| "
                     r"≥ 1\.5 \|", text)
    assert "Training time of the runs: at least " in text


def test_workdir_of_another_run_is_refused(tmp_path, fake_make_dataset):
    run = tables.Run("synthetic", "eight", "rnn")
    version = reproduce.describe_data("synthetic", "eight", None)["version"]
    workdir = tmp_path / "smoke" / f"synthetic-{version}" / "synthetic-eight-rnn.float32"
    workdir.mkdir(parents=True)
    config = tables.run_config(run, tables.SCALES["smoke"])
    config.train.batch_size = 7
    (workdir / "config.json").write_text(config.to_json_best_effort())
    with pytest.raises(ValueError, match="train.batch_size: 7 there, 2 now"):
        reproduce.reproduce(4, "smoke", patterns=("eight",), workdir_root=str(tmp_path),
                            results_dir=str(tmp_path / "r"), make_dataset=fake_make_dataset)
    # How often a run is checkpointed may change under it: nothing it computes depends on it.
    now = tables.run_config(run, tables.SCALES["smoke"])
    config.train.update(batch_size=now.train.batch_size, checkpoint_every=7, keep_checkpoints=9)
    (workdir / "config.json").write_text(config.to_json_best_effort())
    reproduce.check_same_config(now, str(workdir))


def test_real_data_is_prepared_from_a_manual_dir(tmp_path):
    from cinegen_datasets.real_cinemagraphs import fake_manual_dir
    from cinegen_tf.data import real_pipeline

    sources = fake_manual_dir.write_manual_dir(tmp_path / "my_clips")
    data_dir = str(tmp_path / "tfds")
    with pytest.raises(FileNotFoundError):
        real_pipeline.prepared_builder("fire", data_dir)
    reproduce.prepare_real_data(["fire"], data_dir, str(tmp_path / "my_clips"))
    described = reproduce.describe_data("real", "fire", "my_clips", data_dir,
                                        str(tmp_path / "my_clips"), "a note")
    expected = fake_manual_dir.expected_splits(sources, ("fire",))
    usable = [s for s in sources if s.category == "fire" and s.num_clips]
    assert described == {
        "kind": "real", "subset": "fire", "tag": "my_clips", "version": "1.0.0",
        "data_dir": data_dir, "manual_dir": str(tmp_path / "my_clips"),
        "clips": {split: expected[split] for split in ("train", "test")},
        "sources": {split: sum(s.split == split for s in usable) for split in ("train", "test")},
        "note": "a note"}


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="tables are"):
        reproduce.reproduce(6, "smoke")
    with pytest.raises(ValueError, match="scales"):
        reproduce.reproduce(1, "huge")
    with pytest.raises(ValueError, match=r"unknown pattern \['eigth'\]"):
        reproduce.reproduce(1, "smoke", patterns=("eigth",))
    with pytest.raises(ValueError, match=r"unknown row \['rnn'\]; table 3 knows"):
        reproduce.reproduce(3, "smoke", rows=("rnn",))
    with pytest.raises(ValueError, match="no runs"):
        reproduce.reproduce(3, "smoke", patterns=("eight",), categories=(), rows=["motion"])
