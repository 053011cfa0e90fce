"""experiments.table6: Table 6 from a study's database, paper numbers beside ours; the
study's CSV export; the paper's Table 6 digits."""
import csv
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

from cinegen_tf.study import app as app_lib
from experiments import paper_numbers
from experiments import table6_lib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
PAPER = REPO_ROOT.parent / "shared" / "paper" / "image2gif_wacv2018.txt"
_spec = importlib.util.spec_from_file_location(
    "study_helpers", pathlib.Path(__file__).with_name("study_helpers.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)


def test_table6_paper_numbers_are_the_papers_digits():
    if not PAPER.is_file():
        pytest.skip(f"paper text not found at {PAPER}")
    text = PAPER.read_text()
    for experiment, rows in paper_numbers.TABLE6.items():
        for method, cells in rows.items():
            for category, value in cells.items():
                assert f"{value:.2f}%" in text, (experiment, method, category)


@pytest.fixture(scope="module")
def finished_study(tmp_path_factory):
    """Three participants: two careful ones, one who fails the attention checks."""
    study_dir = tmp_path_factory.mktemp("study")
    manifest = helpers.make_study(study_dir, methods=("mathieu", "rnn", "rnn_dqn", "constant"))
    application = app_lib.create_app(str(study_dir))

    def careless(page, manifest_, options):  # picks the broken clip; calls everything real
        return str(options.index("broken") if "broken" in options else 0) \
            if len(options) > 1 else "real"

    for pid, chooser in (("a", helpers.scripted_answer), ("b", helpers.scripted_answer),
                         ("c", careless)):
        person = helpers.ClientParticipant(application.test_client(), manifest)
        person.start(pid)
        person.finish(chooser)
    helpers.ClientParticipant(application.test_client(), manifest).start("quit")
    return study_dir, manifest


def test_table6_reports_counts_intervals_paper_numbers_and_exclusions(finished_study, tmp_path):
    study_dir, manifest = finished_study
    md_path, json_path = table6_lib.write(str(study_dir), str(tmp_path))
    assert os.path.basename(md_path) == "table6_test.md"
    data = helpers.read_json(json_path)
    assert data["num_participants"] == {"included": 2, "excluded": 1, "incomplete": 1,
                                        "total": 4}
    rows = {r["key"]: r for r in data["rows"]}
    assert list(rows) == ["mathieu", "rnn", "rnn_dqn", "constant"]
    # Two counted participants x 2 fire clips; RNN+DQN always picked, always taken for real.
    fire = rows["rnn_dqn"]["cells"]["preference"]["fire"]
    assert fire["ours"]["k"] == fire["ours"]["n"] == 4 and fire["paper"] == 37.74
    assert rows["rnn_dqn"]["cells"]["realism"]["water_flowing"]["ours"]["percent"] == 100.0
    assert rows["rnn"]["cells"]["realism"]["fire"]["ours"]["k"] == 0
    assert rows["constant"]["cells"]["preference"]["fire"]["paper"] is None
    low, high = rows["rnn"]["cells"]["realism"]["fire"]["ours"]["wilson95"]
    assert low == pytest.approx(0.0, abs=1e-9) and high == pytest.approx(48.99, abs=0.01)
    assert data["real_clips"]["fire"]["k"] == 4

    md = pathlib.Path(md_path).read_text()
    assert "| RNN+DQN | **100.0%** (4/4; 51.0–100.0) | 37.14% |" in md
    assert "| Mathieu et al. [17] | **0.0%** (0/4; 0.0–49.0) | 30.00% |" in md
    assert "| Constant |" in md and "| Real clips (control) |" in md
    assert "**2 counted** of 4 who consented; 1 excluded for failed attention checks (c: 4 " \
           "failed); 1 did not finish (quit)" in md
    assert "chance 25.0%" in md


def test_table6_binary_and_csv_export(finished_study, tmp_path):
    study_dir, _ = finished_study
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-m", "experiments.table6", f"--study_dir={study_dir}",
                          f"--results_dir={tmp_path}"], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "table6_test.md").is_file()
    out = subprocess.run([sys.executable, "-m", "cinegen_tf.study", "export",
                          f"--study_dir={study_dir}", f"--output={tmp_path / 'votes.csv'}"],
                         cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    with open(tmp_path / "votes.csv") as f:
        rows = list(csv.DictReader(f))
    # 3 finished participants x (4 + 2 + 4 x 5 + 2) trials each.
    assert len(rows) == 3 * 28 and {r["participant"] for r in rows} == {"a", "b", "c"}
    assert {r["participant_status"] for r in rows if r["participant"] == "c"} == {"excluded"}
