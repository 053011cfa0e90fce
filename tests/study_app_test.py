"""cinegen_tf.study.app through Flask's test client: a whole participant, resume, every
invalid request (4xx, database unchanged), stimuli traversal, admin token, exclusions."""
import csv
import importlib.util
import io
import json
import os
import pathlib
import sqlite3

import pytest

from cinegen_tf.study import app as app_lib
from cinegen_tf.study import db
from cinegen_tf.study import results
from cinegen_tf.study import stimuli
from cinegen_tf.study import videos
from cinegen_tf.study import trials

_spec = importlib.util.spec_from_file_location(
    "study_helpers", pathlib.Path(__file__).with_name("study_helpers.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

TOKEN = "admin-secret-token"


@pytest.fixture
def study(tmp_path):
    manifest = helpers.make_study(tmp_path)
    application = app_lib.create_app(str(tmp_path), admin_token=TOKEN)
    application.config["TESTING"] = True
    return tmp_path, manifest, application


def snapshot(study_dir):
    """Everything a request could change in the database."""
    conn = sqlite3.connect(os.path.join(study_dir, db.FILE_NAME))
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("participants", "trials", "votes")}
    finally:
        conn.close()


def connect(study_dir):
    return db.connect(os.path.join(study_dir, db.FILE_NAME))


def test_a_participant_completes_both_experiments(study):
    study_dir, manifest, application = study
    person = helpers.ClientParticipant(application.test_client(), manifest)
    assert "Part 1 of 2" in person.start("worker_1").get_data(as_text=True)
    page = person.finish()
    code = helpers.re.search(r'id="code">([0-9A-F]{10})<', page).group(1)

    num_clips = len(manifest["clips"])  # 4: 2 water, 2 fire; 3 methods
    conn = connect(study_dir)
    row = conn.execute("SELECT * FROM participants").fetchone()
    assert (row["external_id"], row["id_source"], row["completion_code"]) == (
        "worker_1", "url", code)
    assert row["completed_at"] is not None
    assert row["seed"] == trials.participant_seed(manifest["seed"], "worker_1")
    # preference: 1 three-way trial per clip + 2 checks; realism: 3 methods + real per clip + 2.
    expected = (num_clips + 2) + (4 * num_clips + 2)
    assert db.counts(conn) == {"participants": 1, "trials": expected, "votes": expected}
    tally = results.tally(conn, manifest)
    assert tally["num_participants"] == {"included": 1, "excluded": 0, "incomplete": 0,
                                         "total": 1}
    for category in videos.CATEGORIES:
        assert tally["preference"][category]["rnn_dqn"] == {"picked": 2, "shown": 2}
        assert tally["preference"][category]["mathieu"] == {"picked": 0, "shown": 2}
        assert tally["realism"][category]["rnn_dqn"] == {"judged_real": 2, "shown": 2}
        assert tally["realism"][category]["rnn"] == {"judged_real": 0, "shown": 2}
        assert tally["realism"][category]["real"] == {"judged_real": 2, "shown": 2}
    assert tally["attention_checks"] == {"passed": 4, "answered": 4}
    # Finished: every page now leads to the code, and nothing more can be answered.
    assert code in person.get("/").get_data(as_text=True)


def test_an_id_is_issued_when_the_link_has_none(study):
    study_dir, manifest, application = study
    helpers.ClientParticipant(application.test_client(), manifest).start()
    row = connect(study_dir).execute("SELECT external_id, id_source FROM participants").fetchone()
    assert row["id_source"] == "issued" and row["external_id"].startswith("p-")


def test_the_id_parameter_name_is_configurable(tmp_path):
    manifest = helpers.make_study(tmp_path)
    client = app_lib.create_app(str(tmp_path), id_param="PROLIFIC_PID").test_client()
    page = client.get("/?PROLIFIC_PID=abc123").get_data(as_text=True)
    assert 'name="participant" value="abc123"' in page
    del manifest


def test_reload_and_return_resume_at_the_first_unanswered_trial(study):
    study_dir, manifest, application = study
    client = application.test_client()
    person = helpers.ClientParticipant(client, manifest)
    person.start("p1")
    for _ in range(3):
        person.answer_current()
    trial_id = helpers.TRIAL.search(person.page).group(1)
    assert helpers.TRIAL.search(person.get("/trial").get_data(as_text=True)).group(1) == trial_id
    # Coming back to the study link in the same browser continues, it does not restart.
    assert helpers.TRIAL.search(person.get("/?pid=p1").get_data(as_text=True)).group(1) == trial_id
    assert "question 4 of" in person.page
    assert db.counts(connect(study_dir))["votes"] == 3


def test_the_same_id_in_another_browser_is_refused(study):
    study_dir, manifest, application = study
    helpers.ClientParticipant(application.test_client(), manifest).start("p1")
    before = snapshot(study_dir)
    other = helpers.ClientParticipant(application.test_client(), manifest)
    assert other.start("p1").status_code == 409
    assert "already started" in other.page
    assert snapshot(study_dir) == before


def test_a_second_answer_to_a_trial_is_refused(study):
    study_dir, manifest, application = study
    person = helpers.ClientParticipant(application.test_client(), manifest)
    person.start("p1")
    form = person.form("0")
    assert person.client.post("/answer", data=form).status_code == 303
    before = snapshot(study_dir)
    response = person.client.post("/answer", data=dict(form, answer="1"))
    assert response.status_code == 409 and b"already been answered" in response.data
    assert snapshot(study_dir) == before


def _bad_answers(person, other_trial):
    """(description, form, expected status) of every kind of bad /answer POST."""
    good = person.form("0")
    return [
        ("no CSRF token", {k: v for k, v in good.items() if k != "csrf_token"}, 403),
        ("wrong CSRF token", dict(good, csrf_token="x" * 43), 403),
        ("no trial", {k: v for k, v in good.items() if k != "trial"}, 400),
        ("trial not a number", dict(good, trial="1 OR 1=1"), 400),
        ("no such trial", dict(good, trial="999999"), 404),
        ("another participant's trial", dict(good, trial=str(other_trial)), 404),
        ("no answer", {k: v for k, v in good.items() if k != "answer"}, 400),
        ("answer beyond the options shown", dict(good, answer="3"), 400),
        ("negative slot", dict(good, answer="-1"), 400),
        ("a realism answer to a preference trial", dict(good, answer="real"), 400),
        ("a stimulus key instead of a slot", dict(good, answer="rnn_dqn"), 400),
        ("response time not a number", dict(good, response_ms="soon"), 400),
    ]


def test_every_invalid_answer_is_refused_and_changes_nothing(study):
    study_dir, manifest, application = study
    other = helpers.ClientParticipant(application.test_client(), manifest)
    other.start("other")
    other_trial = int(helpers.TRIAL.search(other.page).group(1))
    person = helpers.ClientParticipant(application.test_client(), manifest)
    person.start("p1")
    before = snapshot(study_dir)
    for description, form, status in _bad_answers(person, other_trial):
        response = person.client.post("/answer", data=form)
        assert response.status_code == status, description
        assert len(response.data) < 2000, description  # a short page with one message
        assert snapshot(study_dir) == before, description
    # A realism trial refuses a slot number: answer every preference trial first.
    while 'data-experiment="preference"' in person.page:
        person.answer_current()
    before = snapshot(study_dir)
    for answer in ("0", "maybe", "REAL", ""):
        assert person.client.post("/answer", data=person.form(answer)).status_code == 400
    assert snapshot(study_dir) == before
    # The other participant's page still works: nothing of theirs was touched.
    assert other.answer_current().status_code == 200


def test_invalid_starts_and_requests_without_a_session_are_refused(study):
    study_dir, manifest, application = study
    client = application.test_client()
    page = client.get("/").get_data(as_text=True)
    csrf = helpers.CSRF.search(page).group(1)
    before = snapshot(study_dir)
    cases = [
        ("/start", {"consent": "yes", "participant": "a"}, 403),
        ("/start", {"csrf_token": "forged", "consent": "yes", "participant": "a"}, 403),
        ("/start", {"csrf_token": csrf, "participant": "a"}, 400),
        ("/start", {"csrf_token": csrf, "consent": "no", "participant": "a"}, 400),
        ("/start", {"csrf_token": csrf, "consent": "yes", "participant": "../../etc"}, 400),
        ("/start", {"csrf_token": csrf, "consent": "yes", "participant": "x" * 65}, 400),
        ("/start", {"csrf_token": csrf, "consent": "yes", "participant": "a<script>"}, 400),
        ("/answer", {"csrf_token": csrf, "trial": "1", "answer": "0"}, 403),  # no participant
        ("/start", {"csrf_token": csrf, "consent": "yes", "participant": "a" * 20000}, 413),
    ]
    for path, form, status in cases:
        assert client.post(path, data=form).status_code == status, (path, form)
        assert snapshot(study_dir) == before, (path, form)
    assert client.get("/answer").status_code == 405
    assert client.get("/?pid=bad%20id").status_code == 400
    # A fresh client has no CSRF token in its session at all.
    assert application.test_client().post("/start", data={"csrf_token": csrf, "consent": "yes"}
                                          ).status_code == 403
    assert snapshot(study_dir) == before


def test_stimuli_are_served_only_by_name_from_the_study_folder(study):
    study_dir, manifest, application = study
    client = application.test_client()
    name = manifest["clips"][0]["stimuli"]["real"]
    response = client.get(f"/stimuli/{name}")
    assert response.status_code == 200 and response.mimetype == "image/gif"
    assert response.data == (study_dir / "stimuli" / name).read_bytes()
    (study_dir / "secret.txt").write_text("not for participants")
    for path in ("/stimuli/../manifest.json", "/stimuli/..%2fmanifest.json",
                 "/stimuli/%2e%2e%2fstudy.sqlite", "/stimuli/..%5csecret.txt",
                 "/stimuli/%2fetc%2fpasswd", "/stimuli/" + name.upper(),
                 "/stimuli/0000000000000000.gif", "/stimuli/", "/manifest.json",
                 "/study.sqlite", "/static/../manifest.json", "/static/..%2fapp.py"):
        response = client.get(path)
        assert 400 <= response.status_code < 500, path
        assert b"not for participants" not in response.data and b"clips" not in response.data


def test_results_and_export_need_the_admin_token(study):
    study_dir, manifest, application = study
    person = helpers.ClientParticipant(application.test_client(), manifest)
    person.start("p1")
    person.finish()
    client = application.test_client()
    for path in ("/admin/results", "/admin/votes.csv"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert client.get(path + "?token=wrong").status_code == 403
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    body = client.get(f"/admin/results?token={TOKEN}").get_json()
    assert body["num_participants"]["included"] == 1
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/admin/votes.csv?token={TOKEN}").get_data(as_text=True))))
    assert len(rows) == db.counts(connect(study_dir))["votes"]
    assert {r["participant"] for r in rows} == {"p1"}
    assert all(r["attention_passed"] == "1" for r in rows if r["kind"] == "attention")
    # Participants' pages never show answers: only the admin views do.
    assert b"rnn_dqn" not in person.get("/done").data
    # No token configured: the admin views are off.
    closed = app_lib.create_app(str(study_dir)).test_client()
    assert closed.get(f"/admin/results?token={TOKEN}").status_code == 403


def test_orders_and_positions_are_seeded_per_participant_and_recorded(study):
    study_dir, manifest, application = study
    for pid in ("a", "b"):
        helpers.ClientParticipant(application.test_client(), manifest).start(pid)
    conn = connect(study_dir)
    stored = {}
    for pid in ("a", "b"):
        rows = conn.execute(
            "SELECT t.experiment, t.position, t.clip_id, t.category, t.kind, t.options FROM "
            "trials t JOIN participants p ON p.id = t.participant_id WHERE p.external_id = ? "
            "ORDER BY t.experiment, t.position", (pid,)).fetchall()
        stored[pid] = [dict(r, options=json.loads(r["options"])) for r in rows]
        planned = trials.plan(manifest, trials.participant_seed(manifest["seed"], pid))
        assert stored[pid] == sorted(planned, key=lambda t: (t["experiment"], t["position"]))
    assert stored["a"] != stored["b"]
    kinds = [t["kind"] for t in stored["a"]]
    assert kinds.count("attention") == 4
    for t in stored["a"]:
        if t["kind"] == "attention":
            assert sorted(t["options"]) == (["broken", "real"] if t["experiment"] == "preference"
                                            else ["broken"])


def test_pairwise_design_shows_every_pair(tmp_path):
    manifest = helpers.make_study(tmp_path, design={"preference": "pairwise",
                                                    "attention_checks": 1})
    planned = trials.plan(manifest, 5)
    main = [t for t in planned if t["experiment"] == "preference" and t["kind"] == "main"]
    assert len(main) == 3 * len(manifest["clips"])
    assert {frozenset(t["options"]) for t in main} == {
        frozenset(p) for p in (("mathieu", "rnn"), ("mathieu", "rnn_dqn"), ("rnn", "rnn_dqn"))}


def test_a_participant_failing_an_attention_check_is_excluded(study):
    study_dir, manifest, application = study

    def careless(page, manifest_, options):
        if "broken" in options and len(options) == 2:
            return str(options.index("broken"))  # picks the broken clip
        return helpers.scripted_answer(page, manifest_, options)

    helpers.ClientParticipant(application.test_client(), manifest).start("careless")
    person = helpers.ClientParticipant(application.test_client(), manifest)
    person.start("careless2")
    person.finish(careless)
    good = helpers.ClientParticipant(application.test_client(), manifest)
    good.start("good")
    good.finish()
    tally = results.tally(connect(study_dir), manifest)
    assert tally["participants"]["careless2"]["status"] == "excluded"
    assert tally["participants"]["careless2"]["failed_checks"] == 2
    assert tally["participants"]["careless"]["status"] == "incomplete"
    assert tally["num_participants"] == {"included": 1, "excluded": 1, "incomplete": 1,
                                         "total": 3}
    assert tally["preference"]["fire"]["rnn_dqn"] == {"picked": 2, "shown": 2}  # good's only


def test_database_is_wal_versioned_and_refuses_a_newer_schema(study):
    study_dir, _, _ = study
    conn = connect(study_dir)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(db.SchemaError, match="newer"):
        connect(study_dir)


def test_a_changed_manifest_is_refused_once_participants_started(study):
    study_dir, manifest, application = study
    helpers.ClientParticipant(application.test_client(), manifest).start("p1")
    manifest["clips"] = manifest["clips"][:2]
    (study_dir / stimuli.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="changed after participants started"):
        app_lib.create_app(str(study_dir))


def test_wilson_interval_matches_hand_computed_values():
    low, high = results.wilson(7, 20)  # p = 0.35
    assert low == pytest.approx(0.1812, abs=1e-4) and high == pytest.approx(0.5671, abs=1e-4)
    assert results.wilson(0, 10)[0] == pytest.approx(0.0, abs=1e-12)
    assert results.wilson(10, 10)[1] == pytest.approx(1.0, abs=1e-12)
    assert results.wilson(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    assert all(v != v for v in results.wilson(0, 0))  # nan
