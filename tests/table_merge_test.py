"""A table filled over several invocations of the runner: columns and rows merged, a column
rerun, the same numbers from the same seeds, another budget refused, --fresh, code recorded."""
import dataclasses
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from experiments import provenance, reproduce_lib, table_file, tables

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]


def _cells(path):
    with open(path) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def merged(tmp_path_factory, fake_make_dataset):
    """Table 3 (synthetic columns) filled by two invocations: eight, then rotate."""
    root = tmp_path_factory.mktemp("merged")
    kwargs = dict(categories=(), workdir_root=str(root / "runs"),
                  results_dir=str(root / "results"), make_dataset=fake_make_dataset)
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
    assert code == provenance.code_version() and code.startswith(_git("rev-parse", "HEAD")[:10])
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


def test_training_again_with_the_same_seeds_gives_the_same_numbers(merged, tmp_path):
    kwargs, first, _, _ = merged
    again = dict(kwargs, workdir_root=str(tmp_path / "runs"), results_dir=str(tmp_path))
    _, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), **again)
    data = _cells(js)
    assert all(r["trained_in_this_invocation"] for r in _runs(data, "eight").values()
               if r["steps"])
    for new, old in zip(_column_cells(data, "eight"), _column_cells(first, "eight"),
                        strict=True):
        assert new["ours"] == pytest.approx(old["ours"], rel=1e-4, abs=1e-4), new


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
    monkeypatch.setattr(provenance, "code_version", lambda: head["code"])
    evaluate = reproduce_lib.evaluate_run

    def evaluate_then_commit(*args, **kw):
        head["code"] = "committed-meanwhile"
        return evaluate(*args, **kw)

    monkeypatch.setattr(reproduce_lib, "evaluate_run", evaluate_then_commit)
    _, js = reproduce_lib.reproduce(3, "smoke", patterns=("eight",), **kwargs)
    assert _cells(js)["invocations"][-1]["code"] == "started-at"
