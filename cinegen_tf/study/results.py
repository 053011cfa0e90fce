"""Counting the study's votes: Table 6's cells, Wilson intervals, exclusions, CSV export.

A participant's votes count when they completed both experiments and failed at most
`design["max_attention_failures"]` attention checks (default none); the others are
listed as excluded (failed checks) or incomplete, and none of their votes count.
Attention-check trials never count towards a method.
"""
import csv
import json
import math

from cinegen_tf.study import stimuli
from cinegen_tf.study import videos
from cinegen_tf.study import trials as trials_lib


def wilson(k, n, z=1.959963984540054):
    """The Wilson score interval of k successes in n trials: (low, high) in [0, 1].

    (nan, nan) when n is 0.
    """
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def votes(conn):
    """Every vote with its trial and participant, in participant then trial order."""
    return conn.execute(
        "SELECT p.external_id, p.id_source, p.seed, p.consented_at, p.completed_at, "
        "t.experiment, t.position, t.clip_id, t.category, t.kind, t.options, "
        "v.answer, v.answered_at, v.response_ms "
        "FROM votes v JOIN trials t ON t.id = v.trial_id "
        "JOIN participants p ON p.id = v.participant_id "
        "ORDER BY p.id, t.experiment, t.position").fetchall()


def participant_status(conn, manifest):
    """{external_id: {"status": "included" / "excluded" / "incomplete", "failed_checks":
    n, "answered": n, "trials": n}}."""
    design = trials_lib.design_of(manifest)
    rows = conn.execute(
        "SELECT p.external_id, p.completed_at, t.experiment, t.kind, t.options, v.answer "
        "FROM participants p JOIN trials t ON t.participant_id = p.id "
        "LEFT JOIN votes v ON v.trial_id = t.id ORDER BY p.id").fetchall()
    status = {}
    for row in rows:
        entry = status.setdefault(row["external_id"], {"failed_checks": 0, "answered": 0,
                                                       "trials": 0,
                                                       "completed": bool(row["completed_at"])})
        entry["trials"] += 1
        if row["answer"] is not None:
            entry["answered"] += 1
            if row["kind"] == "attention" and not trials_lib.attention_passed(
                    row["experiment"], json.loads(row["options"]), row["answer"]):
                entry["failed_checks"] += 1
    for entry in status.values():
        if entry["failed_checks"] > design["max_attention_failures"]:
            entry["status"] = "excluded"
        elif entry["answered"] < entry["trials"]:
            entry["status"] = "incomplete"
        else:
            entry["status"] = "included"
        del entry["completed"]
    return status


def tally(conn, manifest):
    """Table 6's counts from the database.

    Returns:
      a dict:
        "preference": {category: {method: {"picked": k, "shown": n}}}: how often a
          method's cinemagraph was picked as the best of the trials it was shown in;
        "realism": {category: {method or "real": {"judged_real": k, "shown": n}}};
        "participants": participant_status(...);
        "num_participants": {"included", "excluded", "incomplete", "total"};
        "num_votes": votes counted (main trials of included participants);
        "attention_checks": {"passed": k, "answered": n} over all participants.
    """
    keys = [m["key"] for m in manifest["methods"]]
    categories = [c for c in videos.CATEGORIES
                  if any(clip["category"] == c for clip in manifest["clips"])]
    status = participant_status(conn, manifest)
    preference = {c: {k: {"picked": 0, "shown": 0} for k in keys} for c in categories}
    realism = {c: {k: {"judged_real": 0, "shown": 0} for k in keys + [stimuli.REAL]}
               for c in categories}
    checks = {"passed": 0, "answered": 0}
    counted = 0
    for row in votes(conn):
        options = json.loads(row["options"])
        if row["kind"] == "attention":
            checks["answered"] += 1
            checks["passed"] += trials_lib.attention_passed(row["experiment"], options,
                                                            row["answer"])
            continue
        if status[row["external_id"]]["status"] != "included":
            continue
        counted += 1
        if row["experiment"] == "preference":
            for key in options:
                cell = preference[row["category"]][key]
                cell["shown"] += 1
                cell["picked"] += row["answer"] == key
        else:
            cell = realism[row["category"]][options[0]]
            cell["shown"] += 1
            cell["judged_real"] += row["answer"] == "real"
    numbers = {s: sum(e["status"] == s for e in status.values())
               for s in ("included", "excluded", "incomplete")}
    numbers["total"] = len(status)
    return {"preference": preference, "realism": realism, "participants": status,
            "num_participants": numbers, "num_votes": counted, "attention_checks": checks}


CSV_COLUMNS = ("participant", "id_source", "participant_status", "experiment", "position",
               "clip_id", "category", "kind", "options", "answer", "attention_passed",
               "answered_at", "response_ms")


def export_csv(conn, manifest, file):
    """Writes every vote (all participants, excluded ones too) as CSV to an open `file`.

    Columns: CSV_COLUMNS; `options` are the stimulus keys in on-screen order joined by
    "|"; `attention_passed` is empty for main trials. Returns the number of rows.
    """
    status = participant_status(conn, manifest)
    writer = csv.writer(file)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for row in votes(conn):
        options = json.loads(row["options"])
        passed = ("" if row["kind"] != "attention" else
                  int(trials_lib.attention_passed(row["experiment"], options, row["answer"])))
        writer.writerow([row["external_id"], row["id_source"],
                         status[row["external_id"]]["status"], row["experiment"],
                         row["position"], row["clip_id"], row["category"], row["kind"],
                         "|".join(options), row["answer"], passed, row["answered_at"],
                         row["response_ms"]])
        n += 1
    return n
