"""The study's web app (Flask): consent, both experiments, completion code, admin export.

    app = create_app("studies/fire", admin_token="...")   # a WSGI app
    python -m cinegen_tf.study serve --study_dir=studies/fire   # serves it on 127.0.0.1

Participant flow: GET / (instructions and consent; the participant id comes from the URL
parameter `id_param`, e.g. ?pid=..., or is issued) -> POST /start (creates the
participant and all their trials in one transaction) -> GET /trial (the first trial not
yet answered: a reload shows the same trial, a return continues where they left) ->
POST /answer (one vote) -> ... -> GET /done (the completion code).

Security: every POST carries the session's CSRF token; a participant is the one whose
id and secret the (signed) session cookie holds, so nobody can answer or read another's
trials; an answer must be one of the options its trial showed, for a trial of that
participant not yet answered (the database's UNIQUE(trial_id) settles races); stimuli
are served only by their manifest name from the study's stimuli folder; /admin/* needs
the admin token (`Authorization: Bearer <token>` or ?token=). Bad requests get a 4xx
with a one-line message and change nothing.
"""
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import sqlite3

import flask

from cinegen_tf.study import db
from cinegen_tf.study import results
from cinegen_tf.study import stimuli
from cinegen_tf.study import trials as trials_lib

_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
QUESTIONS = {
    "preference": "Which cinemagraph looks best?",
    "realism": "Is this a real cinemagraph, or a generated one?",
}


def _fail(status, message):
    flask.abort(flask.make_response(
        flask.render_template("message.html", title="Sorry", message=message), status))


def create_app(study_dir, *, admin_token=None, id_param="pid", secret_key=None):
    """The Flask app serving the study in `study_dir` (stimuli.prepare wrote it).

    Args:
      study_dir: folder with manifest.json and stimuli/; the database
        `study.sqlite` is created there on first use.
      admin_token: the token /admin/* needs; None turns /admin/* off (403).
      id_param: the URL parameter that carries the participant's id.
      secret_key: signs session cookies; None: a random key kept in the database, so
        sessions survive a restart.

    Raises:
      ValueError: the manifest changed after participants started (their trials name
        its stimuli); prepare a new study folder instead.
    """
    study_dir = os.path.abspath(study_dir)
    manifest = stimuli.load_manifest(study_dir)
    design = trials_lib.design_of(manifest)
    db_path = os.path.join(study_dir, db.FILE_NAME)
    stored_key = db.register_manifest(db_path, manifest, study_dir)
    key = secret_key or stored_key

    app = flask.Flask(__name__)
    app.config.update(SECRET_KEY=key, MAX_CONTENT_LENGTH=16 * 1024,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      STUDY_DIR=study_dir, STUDY_DB=db_path)
    stimulus_names = {name for clip in manifest["clips"] for name in clip["stimuli"].values()}
    clips = {clip["id"]: clip for clip in manifest["clips"]}
    display = manifest["encoding"]["display_size"]

    def conn_():
        if "db" not in flask.g:
            flask.g.db = db.connect(db_path)
        return flask.g.db

    @app.teardown_appcontext
    def _close(_):
        c = flask.g.pop("db", None)
        if c is not None:
            c.close()

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'self'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if not flask.request.path.startswith("/stimuli/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    def csrf_token():
        if "csrf" not in flask.session:
            flask.session["csrf"] = secrets.token_urlsafe(32)
        return flask.session["csrf"]

    def check_csrf():
        sent = flask.request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, flask.session.get("csrf", "")):
            _fail(403, "This form has expired or did not come from this study; reload the "
                       "page and try again.")

    def current_participant():
        external_id, secret = flask.session.get("participant"), flask.session.get("secret")
        if not external_id or not secret:
            return None
        row = conn_().execute("SELECT * FROM participants WHERE external_id = ?",
                              (external_id,)).fetchone()
        if row is None or not hmac.compare_digest(row["secret"], secret):
            return None
        return row

    def progress():
        """(participant, their first unanswered trial or None, answered, total); a
        browser with no participant is sent to the start page."""
        participant = current_participant()
        if participant is None:
            flask.abort(flask.redirect(flask.url_for("start"), 303))
        return participant, *db.next_trial(conn_(), participant["id"])

    def completion_code(external_id):
        mac = hmac.new(app.config["SECRET_KEY"].encode(), external_id.encode(), hashlib.sha256)
        return mac.hexdigest()[:10].upper()

    @app.get("/")
    def start():
        participant = current_participant()
        if participant is not None:
            return flask.redirect(flask.url_for("trial"), 303)
        external_id = flask.request.args.get(id_param, "")
        if external_id and not _ID.match(external_id):
            _fail(400, "The participant id in the link is not valid (letters, digits and "
                       "_.:@- only, at most 64).")
        return flask.render_template(
            "start.html", csrf_token=csrf_token(), external_id=external_id,
            num_clips=len(manifest["clips"]), name=manifest["name"],
            size=manifest["encoding"]["size"],
            num_trials=len(trials_lib.plan(manifest, 0)))

    @app.post("/start")
    def begin():
        check_csrf()
        if flask.request.form.get("consent") != "yes":
            _fail(400, "Please tick the consent box to take part.")
        external_id = flask.request.form.get("participant", "")
        source = "url"
        if not external_id:
            external_id, source = "p-" + secrets.token_hex(6), "issued"
        elif not _ID.match(external_id):
            _fail(400, "The participant id is not valid (letters, digits and _.:@- only, "
                       "at most 64).")
        participant = current_participant()
        if participant is not None:  # already started in this browser: resume
            return flask.redirect(flask.url_for("trial"), 303)
        seed = trials_lib.participant_seed(manifest["seed"], external_id)
        secret = secrets.token_urlsafe(24)
        c = conn_()
        try:
            with db.transaction(c):
                pid = c.execute(
                    "INSERT INTO participants(external_id, id_source, seed, secret, "
                    "consented_at, user_agent) VALUES (?, ?, ?, ?, ?, ?)",
                    (external_id, source, seed, secret, db.now(),
                     flask.request.headers.get("User-Agent", "")[:300])).lastrowid
                c.executemany(
                    "INSERT INTO trials(participant_id, experiment, position, clip_id, "
                    "category, kind, options) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(pid, t["experiment"], t["position"], t["clip_id"], t["category"],
                      t["kind"], json.dumps(t["options"]))
                     for t in trials_lib.plan(manifest, seed)])
        except sqlite3.IntegrityError:
            _fail(409, "This participant id has already started the study in another "
                       "browser; please continue there.")
        flask.session.clear()
        flask.session.update(participant=external_id, secret=secret,
                             csrf=secrets.token_urlsafe(32))
        return flask.redirect(flask.url_for("trial"), 303)

    @app.get("/trial")
    def trial():
        participant, row, answered, total = progress()
        if row is None:
            return flask.redirect(flask.url_for("done"), 303)
        options = json.loads(row["options"])
        clip = clips[row["clip_id"]]
        shown = [{"slot": str(i), "letter": "ABCDEFGH"[i],
                  "url": flask.url_for("stimulus", name=clip["stimuli"][key])}
                 for i, key in enumerate(options)]
        part = trials_lib.EXPERIMENTS.index(row["experiment"]) + 1
        return flask.render_template(
            "trial.html", trial=row, shown=shown, csrf_token=csrf_token(),
            question=QUESTIONS[row["experiment"]], part=part,
            num_parts=len(trials_lib.EXPERIMENTS), answered=answered, total=total,
            percent=round(100 * answered / total), display=display,
            participant=participant["external_id"])

    @app.post("/answer")
    def answer():
        check_csrf()
        participant = current_participant()
        if participant is None:
            _fail(403, "No participant in this browser session; start from the study link.")
        try:
            trial_id = int(flask.request.form.get("trial", ""))
        except ValueError:
            _fail(400, "The answer names no trial.")
        c = conn_()
        row = c.execute("SELECT * FROM trials WHERE id = ? AND participant_id = ?",
                        (trial_id, participant["id"])).fetchone()
        if row is None:
            _fail(404, "No such trial for this participant.")
        options = json.loads(row["options"])
        try:
            value = trials_lib.stored_answer(row["experiment"], options,
                                             flask.request.form.get("answer", ""))
        except ValueError as error:
            _fail(400, f"Not an answer to this trial: {error}.")
        try:
            response_ms = int(flask.request.form.get("response_ms", "") or -1)
        except ValueError:
            _fail(400, "response_ms must be a whole number of milliseconds.")
        response_ms = response_ms if 0 <= response_ms < 86_400_000 else None
        try:
            with db.transaction(c):
                c.execute("INSERT INTO votes(trial_id, participant_id, answer, answered_at, "
                          "response_ms) VALUES (?, ?, ?, ?, ?)",
                          (trial_id, participant["id"], value, db.now(), response_ms))
        except sqlite3.IntegrityError:
            _fail(409, "This trial has already been answered; your first answer was kept.")
        return flask.redirect(flask.url_for("trial"), 303)

    @app.get("/done")
    def done():
        participant, row, answered, total = progress()
        if row is not None:
            return flask.redirect(flask.url_for("trial"), 303)
        code = participant["completion_code"]
        if code is None:
            code = completion_code(participant["external_id"])
            c = conn_()
            with db.transaction(c):
                c.execute("UPDATE participants SET completed_at = ?, completion_code = ? "
                          "WHERE id = ? AND completion_code IS NULL",
                          (db.now(), code, participant["id"]))
        return flask.render_template("done.html", code=code, total=total)

    @app.get("/stimuli/<name>")
    def stimulus(name):
        if name not in stimulus_names:
            _fail(404, "No such stimulus.")
        response = flask.send_from_directory(os.path.join(study_dir, stimuli.STIMULI_DIR),
                                             name, mimetype="image/gif", max_age=3600)
        return response

    def check_admin():
        if admin_token is None:
            _fail(403, "Admin views are off: serve with --admin_token.")
        auth = flask.request.headers.get("Authorization", "")
        sent = auth[7:] if auth.startswith("Bearer ") else flask.request.args.get("token", "")
        if not sent:
            _fail(401, "The admin token is missing.")
        if not hmac.compare_digest(sent.encode(), admin_token.encode()):
            _fail(403, "Wrong admin token.")

    @app.get("/admin/results")
    def admin_results():
        check_admin()
        tally = results.tally(conn_(), manifest)
        return flask.jsonify({"study": manifest["name"], **tally})

    @app.get("/admin/votes.csv")
    def admin_votes():
        check_admin()
        buffer = io.StringIO()
        results.export_csv(conn_(), manifest, buffer)
        return flask.Response(buffer.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename={manifest['name']}_votes.csv"})

    @app.errorhandler(405)
    def _method_not_allowed(_):
        return flask.render_template("message.html", title="Sorry",
                                     message="This page does not take that kind of request."), 405

    @app.errorhandler(413)
    def _too_large(_):
        return flask.render_template("message.html", title="Sorry",
                                     message="The request is too large."), 413

    app.config["STUDY_DESIGN"] = design
    return app
