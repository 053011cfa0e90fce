"""The study's SQLite database: schema (versioned), participants, their trials and votes.

One file, `<study_dir>/study.sqlite`, in WAL mode so participants' pages read while
another participant's vote is written. Every write is one `BEGIN IMMEDIATE` transaction;
a vote is a row of `votes` whose `trial_id` is UNIQUE, so a second answer to a trial
(a double click, a replayed request, two tabs) fails inside the database, not in a
check-then-insert race. The schema's version is SQLite's `user_version`; `connect`
applies the migrations a file lacks, in order, and refuses a file newer than this code.

Tables (version 1):
  meta(key, value): the study's manifest (JSON), its name, the Flask secret key.
  participants: one per person; `external_id` from the URL (e.g. a crowdsourcing
    worker id) or issued; `seed` decides their trial order and on-screen positions;
    `secret` binds them to one browser session; `completion_code` once done.
  trials: every trial a participant will see, created at once when they consent:
    experiment ("preference" / "realism"), position (order within the experiment),
    clip, kind ("main" / "attention") and the options in on-screen order (JSON list of
    stimulus keys: methods, "real", "broken").
  votes: one per answered trial: the chosen option and the time it took.
"""
import contextlib
import datetime
import json
import secrets
import sqlite3

SCHEMA_VERSION = 1
FILE_NAME = "study.sqlite"

# MIGRATIONS[v] takes a file at version v to v + 1.
MIGRATIONS = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        external_id TEXT NOT NULL UNIQUE,
        id_source TEXT NOT NULL CHECK (id_source IN ('url', 'issued')),
        seed INTEGER NOT NULL,
        secret TEXT NOT NULL,
        consented_at TEXT NOT NULL,
        completed_at TEXT,
        completion_code TEXT,
        user_agent TEXT
    );
    CREATE TABLE trials (
        id INTEGER PRIMARY KEY,
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        experiment TEXT NOT NULL CHECK (experiment IN ('preference', 'realism')),
        position INTEGER NOT NULL,
        clip_id TEXT NOT NULL,
        category TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('main', 'attention')),
        options TEXT NOT NULL,
        UNIQUE (participant_id, experiment, position)
    );
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        trial_id INTEGER NOT NULL UNIQUE REFERENCES trials(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        answer TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        response_ms INTEGER
    );
    CREATE INDEX trials_by_participant ON trials(participant_id, experiment, position);
    """,
]
assert len(MIGRATIONS) == SCHEMA_VERSION


class SchemaError(Exception):
    """The database file is of a newer schema than this code knows."""


def now():
    """UTC time as ISO 8601 with seconds: what every *_at column holds."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def connect(path):
    """Opens (creating and migrating if needed) the study database at `path`.

    Returns:
      an sqlite3.Connection in autocommit mode (transactions are explicit, see
      `transaction`), rows as sqlite3.Row, WAL journal, foreign keys on.

    Raises:
      SchemaError: the file's schema version is newer than SCHEMA_VERSION.
    """
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a vote acknowledged to the participant survives a power cut, not only a crash.
    conn.execute("PRAGMA synchronous = FULL")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        conn.close()
        raise SchemaError(f"{path}: schema version {version} is newer than this code's "
                          f"{SCHEMA_VERSION}; update cinegen_tf")
    if version == SCHEMA_VERSION:
        return conn
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # again, under the lock
        for v in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[v].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {v + 1}")
    return conn


@contextlib.contextmanager
def transaction(conn):
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception): one writer at a time."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get_meta(conn, key, default=None):
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else row["value"]


def set_meta(conn, key, value):
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def counts(conn):
    """Rows per table: {"participants": n, "trials": n, "votes": n} (for tests and logs)."""
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("participants", "trials", "votes")}


def register_manifest(path, manifest, study_dir):
    """Stores the study's manifest in the database at `path`; returns its secret key
    (made once, so sessions survive a restart).

    Raises:
      ValueError: the manifest changed after participants started (their trials name
        its stimuli).
    """
    text = json.dumps(manifest, sort_keys=True)
    conn = connect(path)
    try:
        with transaction(conn):
            stored = get_meta(conn, "manifest")
            if stored is not None and stored != text and counts(conn)["trials"]:
                raise ValueError(f"{study_dir}: manifest.json changed after participants "
                                 f"started; prepare the new stimuli in a new study folder")
            set_meta(conn, "manifest", text)
            if get_meta(conn, "secret_key") is None:
                set_meta(conn, "secret_key", secrets.token_hex(32))
            return get_meta(conn, "secret_key")
    finally:
        conn.close()


def next_trial(conn, participant_id):
    """(the participant's first unanswered trial row or None, answered count, total)."""
    total = conn.execute("SELECT COUNT(*) FROM trials WHERE participant_id = ?",
                         (participant_id,)).fetchone()[0]
    answered = conn.execute("SELECT COUNT(*) FROM votes WHERE participant_id = ?",
                            (participant_id,)).fetchone()[0]
    trial = conn.execute(
        "SELECT t.* FROM trials t LEFT JOIN votes v ON v.trial_id = t.id "
        "WHERE t.participant_id = ? AND v.id IS NULL ORDER BY "
        "CASE t.experiment WHEN 'preference' THEN 0 ELSE 1 END, t.position LIMIT 1",
        (participant_id,)).fetchone()
    return trial, answered, total
