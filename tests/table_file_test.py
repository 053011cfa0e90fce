"""The table file: committed tables read back and render the same; runs are kept only in the
precision they were trained in (a float32 table goes on in float32); old formats still read."""
import json
import pathlib
import shutil

import pytest

from cinegen_tf.training import precision
from experiments import provenance, render, reproduce_lib, table_file, tables

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "experiments" / "results"


def _cells(path):
    with open(path) as f:
        return json.load(f)


@pytest.mark.parametrize("path", sorted(RESULTS.glob("table*.json")),
                         ids=lambda p: p.name)
def test_committed_tables_read_back_and_render_the_same(path, tmp_path):
    old = _cells(path)
    md, js = render.render(str(path), str(tmp_path))
    new = _cells(js)
    for key in ("cells", "columns", "comparison", "not_run"):
        assert new[key] == old[key], key
    for old_run, new_run in zip(old["runs"], new["runs"], strict=True):
        assert {k: v for k, v in new_run.items() if k in old_run} == old_run
    # Written in the current layout, it reads back to the same runs and invocations.
    assert render.read(js) == render.read(str(path))
    # The committed .md is the runner's rendering of its .json, in the current layout.
    with open(md) as f:
        assert path.with_suffix(".md").read_text() == f.read(), (
            f"{path.with_suffix('.md').name} is not what its .json renders to now; run "
            f"python -m experiments.render {path.relative_to(REPO_ROOT)}")


@pytest.mark.parametrize("native", [True, False])
def test_runs_of_another_precision_are_not_merged(native, tmp_path, monkeypatch):
    # table3_cpu.json's runs were trained in bfloat16 on a CPU with AMX.
    monkeypatch.setattr(precision, "native_bfloat16", lambda: native)
    path = str(RESULTS / "table3_cpu.json")
    table, cpu = tables.TABLES[3], tables.SCALES["cpu"]
    if native:
        records, _ = table_file.kept_runs(path, table, cpu, table.runs(("eight",), ()))
        assert tables.Run("synthetic", "rotate", "rnn_dqn") in records
    else:
        with pytest.raises(ValueError, match=r"synthetic-rotate-rnn_dqn was trained in "
                           r"bfloat16 there, float32 at --scale=cpu on this machine"):
            table_file.kept_runs(path, table, cpu, table.runs(("eight",), ()))


def test_a_float32_table_goes_on_in_float32_on_bfloat16_hardware(tmp_path, monkeypatch):
    # table1_cpu.json's runs were trained in float32 on an AVX2-only CPU.
    monkeypatch.setattr(precision, "native_bfloat16", lambda: True)
    path = str(RESULTS / "table1_cpu.json")
    table, cpu = tables.TABLES[1], tables.SCALES["cpu"]
    mathieu = tables.Run("synthetic", "eight", "mathieu")
    with pytest.raises(ValueError, match="trained in float32 there, bfloat16"):
        table_file.kept_runs(path, table, cpu, (mathieu,))
    followed = table_file.follow_float32(path, cpu)
    assert tables.run_config(mathieu, followed).train.mixed_precision is False
    records, _ = table_file.kept_runs(path, table, followed, (mathieu,))
    assert tables.Run("synthetic", "eight", "rnn") in records
    # A bfloat16 table, no table, or a scale of fixed precision: the scale as it was.
    assert table_file.follow_float32(
        str(RESULTS / "table3_cpu.json"), cpu) is cpu
    assert table_file.follow_float32(str(tmp_path / "table1_cpu.json"), cpu) is cpu
    assert table_file.follow_float32(path, tables.SCALES["smoke"]) is tables.SCALES["smoke"]

    # The runner trains the rows it fills in float32, and not with --fresh.
    trained = []

    class Stop(Exception):
        """Raised by the fake train_run: stops the runner before any work."""

    def train_nothing(run, config, workdir, make_dataset=None):
        trained.append(config.train.mixed_precision)
        raise Stop

    monkeypatch.setattr(reproduce_lib, "train_run", train_nothing)
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(path, results)
    for fresh in (False, True):
        with pytest.raises(Stop):
            reproduce_lib.reproduce(1, "cpu", patterns=("eight",), categories=(),
                                    rows=("mathieu",), results_dir=str(results),
                                    workdir_root=str(tmp_path / "runs"), fresh=fresh)
    assert trained == [False, True]


def test_old_table_with_a_run_only_inside_an_average(tmp_path):
    # A format-1 file (no per-run numbers): table3_cpu.json as committed at 042d904.
    data = _cells(REPO_ROOT / "tests" / "testdata" / "table3_cpu_format1.json")
    assert "format" not in data
    data["columns"] = [c for c in data["columns"] if c["key"] not in ("water_flowing", "fire")]
    path = tmp_path / "table3_cpu.json"
    path.write_text(json.dumps(data))
    table, cpu = tables.TABLES[3], tables.SCALES["cpu"]
    with pytest.raises(ValueError, match="only inside an average.*Water flowing.*--fresh"):
        table_file.kept_runs(str(path), table, cpu, table.runs(("eight",), ()))
    records, _ = table_file.kept_runs(str(path), table, cpu,
                                      table.runs(("eight",), ("water_flowing", "fire")))
    assert records == {}  # every column of the file is run again: nothing to rebuild


def test_render_names_a_file_that_is_not_a_table(tmp_path):
    path = tmp_path / "table1_cpu.json"
    path.write_text('{"table": 1}')
    with pytest.raises(ValueError, match=r"table1_cpu\.json is not a result table"):
        render.render(str(path))
    path.write_text("{")
    with pytest.raises(ValueError, match=r"table1_cpu\.json is not a result table"):
        render.render(str(path))


def test_invocation_names_the_cpu_flags_where_recorded():
    hw = {"cpu": "AMD EPYC", "usable_cores": 2, "logical_cores": 2, "tensorflow": "2.21.0",
          "keras": "3.15.1", "python": "3.11.7", "load_average_1_5_15_min": [2.0, 2.0, 2.0]}
    invocations = [{"finished_utc": "2026-12-04T20:00:00Z", "code": "abc", "wall_seconds": 60,
                    "hardware": dict(hw, cpu_flags=["avx2", "avx512f"])},
                   {"finished_utc": "2026-12-04T21:00:00Z", "code": "abc", "wall_seconds": 60,
                    "hardware": dict(hw, cpu_flags=[])},
                   {"finished_utc": "2026-12-03T20:00:00Z", "code": "abc", "wall_seconds": 60,
                    "hardware": hw}]  # recorded before the flags were
    lines = provenance.invocation_lines({}, invocations)
    assert "Hardware: AMD EPYC (avx2, avx512f), 2 usable cores" in lines[0]
    assert "Hardware: AMD EPYC (no AVX2), 2 usable cores" in lines[1]
    assert "Hardware: AMD EPYC, 2 usable cores" in lines[2]
    assert set(provenance.hardware()["cpu_flags"]) <= set(precision.SPEED_CPU_FLAGS)
