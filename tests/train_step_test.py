"""The RNN / RNN+DQN train step: schedule, padding mask, reward, target sync, variable split."""
import numpy as np
import pytest
import tensorflow as tf

import keras
from cinegen_tf.training import config_lib, methods, recurrent_step


def tiny_config(method="rnn_dqn"):
    config = config_lib.base_config()
    config.method = method
    config.model.update(z_dim=4, num_actions=3, image_size=16)
    config.dqn.update(epsilon_start=1.0, epsilon_end=0.1, epsilon_decay_steps=10,
                      target_sync_every=3)
    return config


def batch(lengths=(4, 2), seed=0):
    rng = np.random.default_rng(seed)
    video = rng.uniform(-1, 1, (len(lengths), 4, 16, 16, 3)).astype(np.float32)
    for b, length in enumerate(lengths):
        video[b, length:] = -1.0  # black padding
    return {"video": tf.constant(video), "length": tf.constant(lengths, tf.int32)}


def build(config, seed=0):
    keras.utils.set_random_seed(seed)
    return methods.build_method(config)


def run_step(method, data, step=0):
    return {k: float(v) for k, v in
            method.train_step(data, tf.constant(step, tf.int64), tf.constant([1, 2])).items()}


def test_epsilon_anneals_linearly_then_holds():
    dqn = tiny_config().dqn
    values = [float(recurrent_step.epsilon_at(s, dqn)) for s in (0, 5, 10, 50)]
    np.testing.assert_allclose(values, [1.0, 0.55, 0.1, 0.1], rtol=1e-6)


def test_scored_frames_follow_length():
    mask = recurrent_step.scored_frames(batch((4, 2)), 3).numpy()
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 0, 0]])
    assert recurrent_step.scored_frames(batch((4, 2)), 3, loss_on_padding=True).numpy().all()


@pytest.mark.parametrize("loss_on_padding", [False, True])
def test_padding_frames_count_only_when_asked(loss_on_padding):
    config = tiny_config()
    config.train.loss_on_padding = loss_on_padding
    data = batch((4, 2))
    video = data["video"].numpy()
    video[1, 2:] = 1.0  # sample 1 has length 2: its frames 2, 3 are padding
    changed = {"video": tf.constant(video), "length": data["length"]}
    first = run_step(build(config), data)
    second = run_step(build(config), changed)
    same = [np.isclose(first[k], second[k], rtol=1e-6) for k in ("mse", "discriminator_loss",
                                                                  "td_loss", "reward")]
    assert all(same) != loss_on_padding


def test_reward_is_minus_the_generative_loss():
    metrics = run_step(build(tiny_config()), batch((4, 4)))
    # Means of r_t = -(mse_t + lambda * adv_t) over the frames equal -(mse + lambda * adv).
    np.testing.assert_allclose(metrics["reward"], -metrics["generator_loss"], rtol=1e-5)
    assert metrics["epsilon"] == pytest.approx(1.0)


def test_generator_optimizer_never_touches_the_dqn():
    method = build(tiny_config())
    generator = method.generator
    g_vars = recurrent_step.generator_variables(generator)
    q_ids = {id(v) for v in generator.q_network.trainable_variables}
    assert q_ids and not q_ids & {id(v) for v in g_vars}
    assert len(g_vars) + len(q_ids) == len(generator.trainable_variables)


def test_target_network_syncs_every_k_steps():
    method = build(tiny_config())
    online = method.generator.q_network
    target = method.networks["target_q_network"]

    def same():
        return all(np.array_equal(a.numpy(), b.numpy())
                   for a, b in zip(online.variables, target.variables))

    assert same()  # copied at build time
    data = batch((4, 4))
    run_step(method, data, step=0)
    assert not same()  # the DQN learned, the target did not
    run_step(method, data, step=1)
    assert not same()
    run_step(method, data, step=2)  # third step: (2 + 1) % 3 == 0
    assert same()


def test_plain_rnn_has_no_dqn_metrics():
    metrics = run_step(build(tiny_config("rnn")), batch())
    assert set(metrics) == set(recurrent_step.GAN_METRICS)
    assert all(np.isfinite(v) for v in metrics.values())
