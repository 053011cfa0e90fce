"""Shapes, parameter counts, config round trips and DQN action selection of the models."""
import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.models.decoder import Decoder
from cinegen_tf.models.discriminator import Discriminator
from cinegen_tf.models.encoder import Encoder
from cinegen_tf.models.generator import RecurrentGenerator
from cinegen_tf.models.q_network import QNetwork, select_actions


def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def conv_stack_params():
    # 4 x conv 5x5 stride 2: 3 -> 64 -> 128 -> 256 -> 512 (Sec. 5.1).
    chans = [3, 64, 128, 256, 512]
    return sum(conv_params(5, a, b) for a, b in zip(chans[:-1], chans[1:]))


FLAT = 4 * 4 * 512  # a 64x64 frame after four stride-2 convs


def decoder_params(latent):
    dense = latent * FLAT + FLAT
    chans = [512, 256, 128, 64, 3]
    return dense + sum(conv_params(5, a, b) for a, b in zip(chans[:-1], chans[1:]))


def lstm_params(units):
    return 4 * (units * units * 2 + units)


def test_encoder_shape_range_and_params():
    enc = Encoder(64)
    z = enc(tf.random.uniform((2, 64, 64, 3), -1, 1))
    assert z.shape == (2, 64)
    assert np.all(np.abs(z.numpy()) <= 1.0)
    assert enc.count_params() == conv_stack_params() + FLAT * 64 + 64


def test_q_network_is_encoder_without_tanh():
    q = QNetwork(64)
    values = q(tf.random.uniform((3, 64, 64, 3), -1, 1))
    assert values.shape == (3, 64) and values.dtype == tf.float32
    assert q.count_params() == conv_stack_params() + FLAT * 64 + 64
    # Scale the head weights up: a tanh would cap outputs at 1, Q-values must not be capped.
    q.head.kernel.assign(q.head.kernel * 1000.0)
    assert np.abs(q(tf.random.uniform((3, 64, 64, 3), -1, 1)).numpy()).max() > 1.0


def test_decoder_shape_range_and_params():
    dec = Decoder(64)
    frames = dec(tf.random.normal((2, 72)))
    assert frames.shape == (2, 64, 64, 3)
    assert np.all(np.abs(frames.numpy()) <= 1.0)
    assert dec.count_params() == decoder_params(72)


def test_discriminator_shape_and_params():
    d = Discriminator()
    assert d(tf.zeros((5, 64, 64, 3))).shape == (5, 1)
    assert d.count_params() == conv_stack_params() + FLAT + 1


@pytest.mark.parametrize("z_dim,num_actions", [(64, 0), (64, 64), (4, 2048)])
def test_generator_shapes_and_params(z_dim, num_actions):
    gen = RecurrentGenerator(z_dim, num_actions).build_all()
    out = gen(tf.random.uniform((2, 64, 64, 3), -1, 1), num_frames=4)
    assert out["frames"].shape == (2, 4, 64, 64, 3)
    expected = (conv_stack_params() + FLAT * z_dim + z_dim + lstm_params(z_dim)
                + decoder_params(z_dim + num_actions))
    if num_actions:
        expected += conv_stack_params() + FLAT * num_actions + num_actions
        assert out["q_values"].shape == (2, 4, num_actions)
        assert out["actions"].shape == (2, 4) and out["actions"].dtype == tf.int32
    else:
        assert set(out) == {"frames"}
    assert gen.count_params() == expected


def test_generator_config_round_trip():
    gen = RecurrentGenerator(16, 8, name="g")
    clone = RecurrentGenerator.from_config(gen.get_config())
    assert (clone.z_dim, clone.num_actions, clone.image_size) == (16, 8, 64)


def test_generator_runs_past_training_length_and_greedy_is_deterministic():
    gen = RecurrentGenerator(8, 16).build_all()
    x = tf.random.uniform((2, 64, 64, 3), -1, 1, seed=1)
    a = gen(x, num_frames=30)
    b = gen(x, num_frames=30)
    np.testing.assert_array_equal(a["frames"].numpy(), b["frames"].numpy())
    # Greedy actions are the argmax of the Q-values the DQN saw.
    np.testing.assert_array_equal(a["actions"].numpy(), np.argmax(a["q_values"].numpy(), -1))


def test_untrained_generator_frames_depend_on_the_input():
    # He initialisation keeps the signal through the ten ReLU layers; with Glorot the
    # frames of different inputs differed by ~1e-5 (std over the batch) at the start.
    images = tf.random.uniform((16, 64, 64, 3), -1, 1, seed=2)
    frames = RecurrentGenerator(64).build_all()(images, num_frames=2)["frames"].numpy()
    assert frames.std(axis=0).mean() > 1e-3


def test_dqn_action_changes_the_frame():
    gen = RecurrentGenerator(8, 4).build_all()
    h = tf.zeros((1, 8))
    frames = [gen.decoder(tf.concat([h, tf.one_hot([i], 4)], -1)) for i in range(4)]
    assert not np.allclose(frames[0].numpy(), frames[1].numpy())


def test_select_actions_modes():
    q = tf.constant([[0.0, 5.0, 1.0]] * 4000)
    np.testing.assert_array_equal(select_actions(q).numpy(), 1)
    seed = tf.constant([3, 4])
    explored = select_actions(q, epsilon=0.3, seed=seed).numpy()
    # P(action != 1) = 0.3 * 2/3 = 0.2.
    assert 0.17 < np.mean(explored != 1) < 0.23
    np.testing.assert_array_equal(explored, select_actions(q, epsilon=0.3, seed=seed).numpy())
    sampled = select_actions(q, temperature=5.0, seed=seed).numpy()
    probs = np.exp(np.array([0.0, 5.0, 1.0]) / 5.0)
    probs /= probs.sum()
    np.testing.assert_allclose(np.bincount(sampled, minlength=3) / 4000, probs, atol=0.03)
    other = select_actions(q, temperature=5.0, seed=tf.constant([9, 9])).numpy()
    assert np.any(other != sampled)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="z_dim"):
        Encoder(0)
    with pytest.raises(ValueError, match="num_actions"):
        QNetwork(0)
    with pytest.raises(ValueError, match="multiple of 16"):
        Decoder(60)
    with pytest.raises(ValueError, match="num_frames"):
        RecurrentGenerator(8)(tf.zeros((1, 64, 64, 3)), num_frames=0)
    with pytest.raises(ValueError, match="seed"):
        select_actions(tf.zeros((1, 3)), temperature=1.0)
