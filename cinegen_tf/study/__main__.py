"""The human study of Table 6: prepare stimuli, serve the web app, export the votes.

    python -m cinegen_tf.study prepare --study_dir=studies/real --name=real \
        --methods=mathieu=runs/mathieu,rnn=runs/rnn,rnn_dqn=runs/rnn_dqn \
        --data_dir=workdirs/tfds
    python -m cinegen_tf.study serve --study_dir=studies/real [--host=0.0.0.0 --port=8000]
    python -m cinegen_tf.study export --study_dir=studies/real --output=votes.csv
    python -m experiments.table6 --study_dir=studies/real     # Table 6 from the votes

`serve` prints the participant link (append ?pid=<id>, or the crowdsourcing platform's
id parameter named by --id_param) and the admin links, which need --admin_token (one is
generated and printed when none is given).
"""
import os
import secrets
import sys

from absl import app
from absl import flags

from cinegen_tf.study import stimuli
from cinegen_tf.study import videos
from cinegen_tf.study import trials

_STUDY_DIR = flags.DEFINE_string("study_dir", None, "The study's folder.")
# prepare
_NAME = flags.DEFINE_string("name", None, "prepare: the study's name (default: the folder's).")
_METHODS = flags.DEFINE_list("methods", None, "prepare: KEY=WORKDIR per method (keys mathieu, "
                             "rnn, rnn_dqn get the paper's labels; 'constant' needs no "
                             "workdir), in the report's row order.")
_DATA_DIR = flags.DEFINE_string("data_dir", None, "prepare: TFDS data_dir holding the prepared "
                                "real_cinemagraphs/all (default: TFDS's).")
_CATEGORIES = flags.DEFINE_list("categories", list(videos.CATEGORIES),
                                "prepare: categories of the test split to use.")
_SPLIT = flags.DEFINE_string("split", "test", "prepare: the split the clips come from.")
_MAX_CLIPS = flags.DEFINE_integer("max_clips", None, "prepare: at most this many clips per "
                                  "category (default: all).")
_FPS = flags.DEFINE_float("fps", 6.0, "prepare: frame rate of every stimulus.")
_SEED = flags.DEFINE_integer("seed", 0, "prepare: the study's seed (file names, broken clips, "
                             "participants' orders).")
_DISPLAY_SIZE = flags.DEFINE_integer("display_size", 256, "prepare: pixels a stimulus is shown at.")
_PREFERENCE = flags.DEFINE_enum("preference", "all", trials.PREFERENCE_MODES,
                                "prepare: 'all' methods side by side in one trial (the "
                                "paper's three-way choice) or 'pairwise'.")
_ATTENTION = flags.DEFINE_integer("attention_checks", 2, "prepare: attention checks per "
                                  "experiment.")
_MAX_FAILURES = flags.DEFINE_integer("max_attention_failures", 0, "prepare: a participant "
                                     "failing more checks than this is excluded.")
# serve
_HOST = flags.DEFINE_string("host", "127.0.0.1", "serve: address to bind (0.0.0.0 for every "
                            "interface: only behind a firewall or an HTTPS proxy).")
_PORT = flags.DEFINE_integer("port", 8000, "serve: port.")
_ADMIN_TOKEN = flags.DEFINE_string("admin_token", None, "serve: token of /admin/* (default: "
                                   "generated and printed); or set CINEGEN_STUDY_ADMIN_TOKEN.")
_ID_PARAM = flags.DEFINE_string("id_param", "pid", "serve: URL parameter carrying the "
                                "participant id (e.g. PROLIFIC_PID, workerId).")
# export
_OUTPUT = flags.DEFINE_string("output", None, "export: CSV file of every vote (default stdout).")
flags.mark_flag_as_required("study_dir")

COMMANDS = ("prepare", "serve", "export")


def _prepare():
    if not _METHODS.value:
        raise app.UsageError("prepare needs --methods=KEY=WORKDIR,...")
    from cinegen_tf import cli

    cli.quiet_tensorflow()  # the models run here; serve and export never import TensorFlow
    design = {"preference": _PREFERENCE.value, "attention_checks": _ATTENTION.value,
              "max_attention_failures": _MAX_FAILURES.value}
    name = _NAME.value or os.path.basename(os.path.abspath(_STUDY_DIR.value))
    manifest = stimuli.prepare(
        _STUDY_DIR.value, name, stimuli.parse_methods(_METHODS.value), data_dir=_DATA_DIR.value,
        categories=[c for c in _CATEGORIES.value if c], split=_SPLIT.value,
        max_clips=_MAX_CLIPS.value, fps=_FPS.value, seed=_SEED.value,
        display_size=_DISPLAY_SIZE.value, design=design)
    per_category = {}
    for clip in manifest["clips"]:
        per_category[clip["category"]] = per_category.get(clip["category"], 0) + 1
    print(f"{_STUDY_DIR.value}: {len(manifest['clips'])} clips {per_category}, methods "
          f"{[m['key'] for m in manifest['methods']]}, "
          f"{len(trials.plan(manifest, 0))} trials per participant")


def _serve():
    from werkzeug import serving
    from cinegen_tf.study import app as app_lib

    token = (_ADMIN_TOKEN.value or os.environ.get("CINEGEN_STUDY_ADMIN_TOKEN")
             or secrets.token_urlsafe(18))
    wsgi = app_lib.create_app(_STUDY_DIR.value, admin_token=token, id_param=_ID_PARAM.value)
    server = serving.make_server(_HOST.value, _PORT.value, wsgi, threaded=True)
    base = f"http://{_HOST.value}:{server.port}"
    print(f"participants: {base}/?{_ID_PARAM.value}=<their id>  (or {base}/ to issue one)\n"
          f"results:      {base}/admin/results?token={token}\n"
          f"votes (CSV):  {base}/admin/votes.csv?token={token}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C: every vote is already committed
        print("stopped", flush=True)
    finally:
        server.server_close()


def _export():
    from cinegen_tf.study import db, results

    manifest = stimuli.load_manifest(_STUDY_DIR.value)
    conn = db.connect(os.path.join(_STUDY_DIR.value, db.FILE_NAME))
    try:
        if _OUTPUT.value:
            with open(_OUTPUT.value, "w", newline="") as f:
                n = results.export_csv(conn, manifest, f)
            print(f"{_OUTPUT.value}: {n} votes")
        else:
            results.export_csv(conn, manifest, sys.stdout)
    finally:
        conn.close()


def _main(argv):
    if len(argv) != 2 or argv[1] not in COMMANDS:
        raise app.UsageError(f"usage: python -m cinegen_tf.study {'|'.join(COMMANDS)} "
                             f"--study_dir=DIR ...")
    from cinegen_tf.study import db

    try:
        {"prepare": _prepare, "serve": _serve, "export": _export}[argv[1]]()
    except (ValueError, OSError, db.SchemaError) as error:  # a user's mistake: one line
        print(f"error: {' '.join(str(error).split()) or type(error).__name__}",
              file=sys.stderr)
        sys.exit(1)


def main():
    app.run(_main)


if __name__ == "__main__":
    main()
