"""Cases of tests/distribute_test.py that need a fresh process: python distribute_cases.py CASE ...

The CPU is split into 2 logical devices (or, for "worker", TF_CONFIG names a cluster)
before TF initialises its devices, which a pytest process that already ran TF cannot do.
A case raises (exit status 1) when a check fails and prints "CASE OK" when all passed.

    equality METHOD TMPDIR      one `mirrored` step (and three) on a global batch == `default`
    resume TMPDIR               mirrored -> default -> mirrored resumes == uninterrupted default
    replicas                    per-replica exploration seeds distinct and reproducible,
                                replicas' weights (target network too) stay equal
    input TMPDIR                replica r gets rows r*B/R.. of the global batch, both ways
    smoke TMPDIR                mathieu and constant train (and save) under `mirrored`
    worker WORKDIR STEPS METHOD a multi_worker training process (TF_CONFIG from the test)
"""
import importlib.util
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

_HERE = pathlib.Path(__file__).resolve().parent


def _split_cpu(n=2):
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
    assert len(tf.config.list_logical_devices("CPU")) == n


def _train_test():
    """tests/train_test.py (its tiny configs and fake make_dataset), loaded by path."""
    spec = importlib.util.spec_from_file_location("train_test_helpers", _HERE / "train_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_config(method, strategy, **train):
    """train_test's tiny config with a global batch of 4 and greedy DQN actions.

    Exploration is off (epsilon 0): a replica draws its own exploration (distinct seeds),
    so only greedy steps can equal a default step; the "replicas" case covers exploration.
    """
    config = _train_test().tiny_config(method, **train)
    config.train.strategy = strategy
    config.train.update(batch_size=4, eval_batch_size=2)
    config.dqn.update(epsilon_start=0.0, epsilon_end=0.0)
    return config


def run(config, workdir):
    from cinegen_tf.training import train_lib

    helpers = _train_test()
    return train_lib.run(config, str(workdir),
                         make_dataset=helpers.make_fake_dataset(size=config.model.image_size))


def _checkpoint(workdir, step):
    return _train_test().checkpoint_values(os.path.join(str(workdir), "checkpoints",
                                                        f"ckpt-{step}"))


def assert_same_checkpoints(a, b, rtol=1e-4, atol=1e-5):
    """Every saved value of two checkpoints (networks, optimizer moments, step, rng) close."""
    assert a.keys() == b.keys(), sorted(set(a) ^ set(b))
    assert any("optimizer" in k for k in a)
    worst = 0.0
    for name in a:
        if a[name].dtype.kind in "fc":
            np.testing.assert_allclose(b[name], a[name], rtol=rtol, atol=atol, err_msg=name)
            worst = max(worst, float(np.max(np.abs(b[name] - a[name]), initial=0.0)))
        else:
            np.testing.assert_array_equal(b[name], a[name], err_msg=name)
    return worst


def case_equality(method, tmp):
    _split_cpu()
    from cinegen_tf.training import distribute

    assert distribute.make_strategy("mirrored").num_replicas_in_sync == 2
    for steps in (1, 3):  # 3 steps include a target-network sync (every 3 for rnn_dqn)
        results = {}
        for strategy in ("default", "mirrored"):
            config = tiny_config(method, strategy, num_steps=steps, checkpoint_every=steps,
                                 eval_every=steps)
            results[strategy] = run(config, f"{tmp}/{strategy}{steps}")
        for name, value in results["default"]["train"].items():
            np.testing.assert_allclose(results["mirrored"]["train"][name], value, rtol=1e-4,
                                       atol=1e-5, err_msg=name)
        worst = assert_same_checkpoints(_checkpoint(f"{tmp}/default{steps}", steps),
                                        _checkpoint(f"{tmp}/mirrored{steps}", steps))
        print(f"{method}: {steps} step(s), largest |mirrored - default| = {worst:.3g}")
    print("equality OK")


def case_resume(tmp):
    """Resume under another replica count: mirrored 0->1, default 1->2, mirrored 2->3."""
    _split_cpu()
    straight = run(tiny_config("rnn_dqn", "default", num_steps=3), f"{tmp}/straight")
    for strategy, steps in (("mirrored", 1), ("default", 2), ("mirrored", 3)):
        result = run(tiny_config("rnn_dqn", strategy, num_steps=steps), f"{tmp}/resumed")
        assert result["step"] == steps, result
    assert_same_checkpoints(_checkpoint(f"{tmp}/straight", 3), _checkpoint(f"{tmp}/resumed", 3))
    assert straight["step"] == 3
    print("resume OK")


def case_replicas():
    """Exploration seeds distinct per replica and reproducible; replicas stay in sync."""
    _split_cpu()
    import keras

    from cinegen_tf.training import distribute, methods

    strategy = distribute.make_strategy("mirrored")
    seed = tf.constant([7, 11], tf.int64)

    @tf.function
    def seeds():
        return strategy.experimental_local_results(
            strategy.run(lambda: distribute.replica_seed(seed)))

    first, second = [[s.numpy() for s in seeds()] for _ in range(2)]
    np.testing.assert_array_equal(first[0], seed.numpy())  # replica 0: the default seed
    assert not np.array_equal(first[0], first[1]), first  # distinct per replica
    np.testing.assert_array_equal(np.stack(first), np.stack(second))  # reproducible

    # Three exploring steps (the target network syncs after the third), twice.
    config = tiny_config("rnn_dqn", "mirrored")
    config.dqn.update(epsilon_start=1.0, epsilon_end=0.5)
    fake = _train_test().make_fake_dataset()
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(0)
        with distribute.scope(strategy):
            method = methods.build_method(config)
        distribute.scale_to_global_batch(method, strategy)
        step = tf.Variable(0, dtype=tf.int64)
        rng = tf.random.Generator.from_seed(0)
        data = distribute.distribute_dataset(strategy, fake, config.data, global_batch_size=4,
                                             seed=0, start_step=0, data_dir=None)
        train_loop = distribute.make_train_loop(strategy, method, step, rng)
        means, _, finite = train_loop(iter(data), 3)
        assert finite and int(step) == 3 and 0.5 < means["epsilon"] <= 1.0, means
        values = []  # in build order (names differ between builds)
        for name, network in sorted(method.networks.items()):
            for variable in network.variables:
                copies = [c.numpy() for c in
                          strategy.experimental_local_results(variable.value)]
                assert len(copies) == 2
                np.testing.assert_array_equal(copies[1], copies[0], err_msg=variable.path)
                values.append(copies[0])
        online = method.generator.q_network.variables
        target = method.networks["target_q_network"].variables
        for a, b in zip(online, target):  # synced on both replicas
            for x, y in zip(strategy.experimental_local_results(a.value),
                            strategy.experimental_local_results(b.value)):
                np.testing.assert_array_equal(x.numpy(), y.numpy())
        runs.append(values)
    assert len(runs[0]) == len(runs[1]) > 0
    for a, b in zip(*runs):
        np.testing.assert_array_equal(b, a)
    print("replicas OK")


def case_input(tmp):
    """Replica r gets rows r*b..(r+1)*b-1 of the global batch, sharded or sliced."""
    _split_cpu()
    from cinegen_tf.training import distribute

    del tmp
    strategy = distribute.make_strategy("mirrored")
    fake = _train_test().make_fake_dataset()

    def unsharded(data_config, split, *, batch_size, seed=0, training=False, start_step=0,
                  data_dir=None):
        return fake(data_config, split, batch_size=batch_size, seed=seed, training=training,
                    start_step=start_step, data_dir=data_dir)

    def sharded(data_config, split, *, batch_size, seed=0, training=False, start_step=0,
                data_dir=None, shard=None):
        index, count = shard
        full = fake(data_config, split, batch_size=batch_size * count, seed=seed,
                    training=training, start_step=start_step, data_dir=data_dir)
        return full.map(lambda b: {k: v[index * batch_size:(index + 1) * batch_size]
                                   for k, v in b.items()})

    expected = list(fake(None, "train", batch_size=4, seed=3, training=True,
                         start_step=5).take(2))
    for make in (unsharded, sharded):
        data = distribute.distribute_dataset(strategy, make, None, global_batch_size=4, seed=3,
                                             start_step=5, data_dir=None)
        iterator = iter(data)
        for want in expected:
            parts = strategy.experimental_local_results(next(iterator))
            assert len(parts) == 2
            got = np.concatenate([p["video"].numpy() for p in parts])
            np.testing.assert_array_equal(got, want["video"].numpy())
    try:
        distribute.distribute_dataset(strategy, unsharded, None, global_batch_size=3, seed=0,
                                      start_step=0, data_dir=None)
    except ValueError as e:
        assert "multiple of the 2 replicas" in str(e), e
    else:
        raise AssertionError("a global batch of 3 on 2 replicas was accepted")
    print("input OK")


def case_smoke(tmp):
    """The methods without an equality case train a mirrored step and checkpoint it."""
    _split_cpu()
    for method in ("mathieu", "constant"):
        result = run(tiny_config(method, "mirrored", num_steps=2), f"{tmp}/{method}")
        assert result["step"] == (0 if method == "constant" else 2), result
        assert all(np.isfinite(v) for v in result["train"].values()), result
        assert all(np.isfinite(v) for v in result["eval"].values()), result
        assert os.path.isfile(f"{tmp}/{method}/checkpoints/checkpoint")
    print("smoke OK")


def case_worker(workdir, num_steps, method):
    """One multi_worker process of the test's cluster (TF_CONFIG set by the test)."""
    from absl import logging

    logging.set_verbosity(logging.INFO)
    config = tiny_config(method, "multi_worker", num_steps=int(num_steps), checkpoint_every=2,
                         eval_every=1000, keep_checkpoints=1000)
    result = run(config, workdir)
    print(f"worker done at step {result['step']}", flush=True)


if __name__ == "__main__":
    case, args = sys.argv[1], sys.argv[2:]
    globals()[f"case_{case}"](*args)
