"""Where a result came from: the hardware and the code that produced it (run records,
experiments/records.py; the ablation's and real_motion's invocations).
"""
import os
import platform
import subprocess
import time

import keras
import tensorflow as tf

from cinegen_tf.training import precision


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
    """`git describe --always --dirty` of the repository ("<commit>[-dirty]"), or None.

    A table's numbers belong to the code that trained and scored them: a cell whose record
    names a commit older than a change to the models may be stale. Changes to
    experiments/results/ (the runners' own output) do not count as dirty.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*args):
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() if out.returncode == 0 else None

    try:
        commit = git("describe", "--always", "--abbrev=10")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                      ":!experiments/results")
    except (OSError, subprocess.SubprocessError):
        return None
    if not commit:
        return None
    return commit + ("-dirty" if changed else "")


def invocation(wall_seconds, code, real_data_note=None):
    """The record of a runner invocation now ending (experiments/ablation_lib.py): when
    (UTC), `code` (`code_version()` taken when it started: the code it imported), wall
    time, hardware and a note on its data."""
    return {"finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "code": code,
            "wall_seconds": round(wall_seconds, 1), "hardware": hardware(),
            "real_data_note": real_data_note}
