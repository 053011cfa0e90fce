"""tf.distribute training (training/distribute.py): config, input shards, equality, workers.

Cases that split the CPU into 2 logical devices run in a fresh process
(tests/distribute_cases.py): TF fixes its devices when it first runs, which this pytest
process already did. The multi_worker tests start two training processes on localhost
ports with TF_CONFIG, and stop them (kill by pid) within a time bound.
"""
import json
import os
import pathlib
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.data import pipeline
from cinegen_tf.training import config_lib, distribute, train_lib

CASES = pathlib.Path(__file__).resolve().parent / "distribute_cases.py"
sys.path.insert(0, str(CASES.parent))
import distribute_cases  # noqa: E402  (its tiny configs and checkpoint comparison)

CASE_TIMEOUT = 1800  # s per fresh process: ~1-2 min on a quiet 2-core CPU, >15 min at load 15


def _run_case(*args):
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, str(CASES), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=CASE_TIMEOUT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout


# ---- in this process -------------------------------------------------------------------

@pytest.mark.parametrize("strategy", config_lib.STRATEGIES)
def test_config_accepts_every_strategy(strategy):
    config = config_lib.base_config()
    assert config.train.strategy == "default"
    config.train.strategy = strategy
    config_lib.validate_config(config)


def test_config_refuses_an_unknown_strategy_and_reads_old_configs():
    config = config_lib.base_config()
    config.train.strategy = "horovod"
    with pytest.raises(ValueError, match="train.strategy"):
        config_lib.validate_config(config)
    del config.train["strategy"]  # a config.json written before the key existed
    config_lib.validate_config(config)


def test_default_is_no_distribution():
    strategy = distribute.make_strategy("default")
    assert distribute.is_default(strategy) and distribute.is_chief(strategy)
    assert not distribute.is_default(tf.distribute.OneDeviceStrategy("/cpu:0"))


def test_tpu_without_a_tpu_is_a_clear_error(tmp_path):
    config = distribute_cases.tiny_config("rnn", "tpu", num_steps=1)
    with pytest.raises(RuntimeError, match="train.strategy = 'tpu' found no TPU"):
        train_lib.run(config, str(tmp_path))
    assert not os.listdir(tmp_path)  # refused before writing anything


def test_procedural_shards_are_the_rows_of_the_global_batch():
    data = pipeline.make_dataset
    config = config_lib.base_config().data
    kwargs = dict(seed=5, training=True, start_step=3)
    full = next(iter(data(config, "train", batch_size=4, **kwargs)))
    for index in range(2):
        part = next(iter(data(config, "train", batch_size=2, shard=(index, 2), **kwargs)))
        for key in ("video", "length", "centers"):
            np.testing.assert_array_equal(part[key], full[key][2 * index:2 * index + 2],
                                          err_msg=key)
    with pytest.raises(ValueError, match="shard"):
        data(config, "train", batch_size=2, shard=(2, 2), **kwargs)


# ---- 2 logical CPU devices, fresh processes ----------------------------------------------

@pytest.mark.parametrize("method", ["rnn", "rnn_dqn"])
def test_mirrored_step_equals_default_step(tmp_path, method):
    assert "equality OK" in _run_case("equality", method, tmp_path)


def test_resume_under_another_replica_count_equals_uninterrupted(tmp_path):
    assert "resume OK" in _run_case("resume", tmp_path)


def test_replicas_explore_with_distinct_reproducible_seeds_and_stay_in_sync():
    assert "replicas OK" in _run_case("replicas")


def test_each_replica_gets_its_rows_of_the_global_batch(tmp_path):
    assert "input OK" in _run_case("input", tmp_path)


def test_mathieu_and_constant_train_mirrored(tmp_path):
    assert "smoke OK" in _run_case("smoke", tmp_path)


# ---- multi_worker: two processes on localhost ---------------------------------------------

WORKER_TIMEOUT = 900  # s for a pair of workers to train, save and exit


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class _Workers:
    """Two `distribute_cases.py worker` processes forming one MultiWorkerMirrored cluster."""

    def __init__(self, workdir, num_steps, logs, method="rnn_dqn"):
        ports = _free_ports(2)
        self.logs = [pathlib.Path(logs) / f"worker{i}-{time.monotonic_ns()}.log"
                     for i in range(2)]
        self.procs = []
        for index, log in enumerate(self.logs):
            tf_config = {"cluster": {"worker": [f"localhost:{p}" for p in ports]},
                         "task": {"type": "worker", "index": index}}
            env = dict(os.environ, TF_CONFIG=json.dumps(tf_config), CUDA_VISIBLE_DEVICES="",
                       TF_CPP_MIN_LOG_LEVEL="2")
            with open(log, "w") as out:
                self.procs.append(subprocess.Popen(
                    [sys.executable, str(CASES), "worker", str(workdir), str(num_steps),
                     method], env=env, stdout=out, stderr=subprocess.STDOUT))

    def output(self):
        return "\n".join(f"--- worker {i}:\n{log.read_text()[-4000:]}"
                         for i, log in enumerate(self.logs))

    def wait(self, timeout=WORKER_TIMEOUT):
        deadline = time.monotonic() + timeout
        try:
            for proc in self.procs:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"workers still running after {timeout} s\n{self.output()}")
        codes = [proc.returncode for proc in self.procs]
        assert codes == [0, 0], f"exit codes {codes}\n{self.output()}"

    def kill(self, index=None):
        for i, proc in enumerate(self.procs):
            if (index is None or i == index) and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)


def _latest_step(workdir):
    latest = tf.train.latest_checkpoint(os.path.join(str(workdir), "checkpoints"))
    return None if latest is None else int(latest.rsplit("-", 1)[1])


def _default_run(tmp_path, num_steps):
    """The same training in this process, without tf.distribute: the reference."""
    workdir = tmp_path / f"default{num_steps}"
    distribute_cases.run(distribute_cases.tiny_config("rnn_dqn", "default",
                                                      num_steps=num_steps), workdir)
    return distribute_cases._checkpoint(workdir, num_steps)


def test_multi_worker_trains_checkpoints_once_and_resumes(tmp_path):
    workdir = tmp_path / "run"
    _Workers(workdir, 2, tmp_path).wait()
    assert _latest_step(workdir) == 2
    assert sorted(os.listdir(workdir / "checkpoints")) == [
        "checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index", "train_time.json"]
    assert not [p for p in os.listdir(workdir) if p.startswith(".worker")]  # scratch gone
    assert len([p for p in os.listdir(workdir) if p.startswith("events.")]) == 1  # chief's
    workers = _Workers(workdir, 4, tmp_path)
    workers.wait()
    assert "Resumed from" in workers.output() and _latest_step(workdir) == 4
    distribute_cases.assert_same_checkpoints(_default_run(tmp_path, 4),
                                             distribute_cases._checkpoint(workdir, 4))


def test_killed_worker_restarts_from_the_last_checkpoint_losing_nothing(tmp_path):
    workdir = tmp_path / "run"
    workers = _Workers(workdir, 10_000, tmp_path)  # would run for long: killed below
    deadline = time.monotonic() + WORKER_TIMEOUT
    try:
        while (_latest_step(workdir) or 0) < 4:
            assert all(p.poll() is None for p in workers.procs), workers.output()
            assert time.monotonic() < deadline, "no checkpoint 4\n" + workers.output()
            time.sleep(0.2)
        workers.kill(1)  # one worker dies mid-run...
        try:  # ...the chief cannot go on without it: it fails or hangs on a collective
            workers.procs[0].wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    finally:
        workers.kill()
    last = _latest_step(workdir)
    assert last >= 4 and last % 2 == 0
    restarted = _Workers(workdir, last + 2, tmp_path)
    restarted.wait()
    assert f"ckpt-{last}" in restarted.output()  # resumed from the last checkpoint
    distribute_cases.assert_same_checkpoints(_default_run(tmp_path, last + 2),
                                             distribute_cases._checkpoint(workdir, last + 2))
