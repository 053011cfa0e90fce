"""Where a result came from: the hardware, the code and the runner invocation that
produced it, and the lines a rendered table gives of them (experiments/report.py).
"""
import os
import platform
import subprocess
import time

import keras
import tensorflow as tf

from cinegen_tf.training import precision
from experiments import tables


def hardware():
    """CPU model and its speed-deciding flags (/proc/cpuinfo), cores, TF/Keras/Python
    versions and the load average."""
    model = precision.cpuinfo_field(("model name",)) or platform.processor() or "unknown"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"cpu": model, "cpu_flags": precision.speed_flags(), "logical_cores": os.cpu_count(),
            "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "python": platform.python_version(), "load_average_1_5_15_min": list(load)}


def code_version():
    """The repository's commit ("<commit>", "<commit>-dirty" if code differs from it), or None.

    A table's numbers belong to the code that trained and scored them: a cell whose
    invocation names a commit older than a change to the models may be stale. Changes
    to experiments/results/ (the runner's own output) do not count as dirty.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*args):
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() if out.returncode == 0 else None

    try:
        commit = git("rev-parse", "--short=10", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                      ":!experiments/results")
    except (OSError, subprocess.SubprocessError):
        return None
    if not commit:
        return None
    return commit + ("-dirty" if changed else "")


def invocation(wall_seconds, code, real_data_note=None, real_data=None):
    """The record of the invocation now ending: when (UTC), code, wall time, hardware, data note.

    `code` is `code_version()` taken when the invocation started: the code it imported
    then is what trained and scored its runs, whatever was committed while it ran.
    `real_data` (reproduce_lib.describe_real_data), kept only when real runs were run:
    which real data, from where, and its clips and sources per split.
    """
    record = {"finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "code": code,
              "wall_seconds": round(wall_seconds, 1), "hardware": hardware(),
              "real_data_note": real_data_note}
    if real_data is not None:
        record["real_data"] = real_data
    return record


def _duration(seconds):
    """'97.7 min', or '2 s' for an invocation that only read runs scored before."""
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def invocation_lines(records, invocations):
    """Markdown lines, one per invocation: when, which columns, wall time, hardware."""
    lines = []
    for number, inv in enumerate(invocations, 1):
        ran = {run.subset for run, r in records.items() if r["invocation"] == number}
        labels = [tables.PATTERN_LABELS[s] for s in tables.PATTERNS + tables.CATEGORIES
                  if s in ran]
        hw = inv["hardware"]
        flags = f" ({', '.join(hw['cpu_flags']) or 'no AVX2'})" if "cpu_flags" in hw else ""
        lines.append(
            f"- Invocation {number} (finished {inv['finished_utc'] or 'at a time not recorded'}"
            f"{', code ' + inv['code'] if inv.get('code') else ''}"
            f") gave {', '.join(labels)}: wall time {_duration(inv['wall_seconds'])}. "
            f"Hardware: {hw['cpu']}{flags}, {hw['usable_cores']} usable cores "
            f"({hw['logical_cores']} logical), TensorFlow {hw['tensorflow']}, "
            f"Keras {hw['keras']}, Python {hw['python']}; load average at the end "
            f"{', '.join(f'{x:.1f}' for x in hw['load_average_1_5_15_min'])} (1/5/15 min; "
            f"above {hw['usable_cores']} means the CPU was shared).")
    return lines


def real_data_line(real_data):
    """One sentence naming the real data an invocation used (its `real_data` record)."""
    parts = []
    for category, splits in real_data["clips"].items():
        sources = real_data.get("sources", {}).get(category, {})
        counts = ", ".join(f"{split} {n} clips" + (f" / {sources[split]} sources"
                                                   if split in sources else "")
                           for split, n in splits.items())
        parts.append(f"{tables.PATTERN_LABELS[category]}: {counts}")
    built = (f", built from {real_data['manual_dir']}" if real_data.get("manual_dir")
             else "")
    return (f"Real data `{real_data['tag']}` (TFDS real_cinemagraphs in "
            f"{real_data['data_dir'] or 'the default data_dir'}{built}): "
            f"{'; '.join(parts)}.")


def real_data_notes(records, invocations):
    """The real-data notes of the invocations that produced real runs (each note once),
    and what each such invocation recorded of its real data (`real_data_line`)."""
    by_note = {}
    for run, r in records.items():
        inv = invocations[r["invocation"] - 1]
        if run.data != "real":
            continue
        for note in (inv["real_data_note"],
                     real_data_line(inv["real_data"]) if inv.get("real_data") else None):
            if note:
                by_note.setdefault(note, set()).add(r["invocation"])
    return [note if len(invocations) == 1 else
            f"{note} (real runs of invocation {', '.join(map(str, sorted(numbers)))})"
            for note, numbers in by_note.items()]
