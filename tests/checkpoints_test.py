"""The workdir contract: config.json, checkpoints/ and load_generator."""
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.training import checkpoints, config_lib, methods


def tiny_config(method="rnn_dqn", z_dim=4):
    config = config_lib.base_config()
    config.method = method
    config.model.z_dim = z_dim
    config.model.num_actions = 3
    config.model.image_size = 16
    return config


def save_run(workdir, config):
    """Writes config.json and one checkpoint of a freshly built method; returns it."""
    method = methods.build_method(config)
    checkpoints.write_config(config, workdir)
    checkpoint = tf.train.Checkpoint(step=tf.Variable(7, dtype=tf.int64),
                                     rng=tf.random.Generator.from_seed(0),
                                     **method.checkpoint_items())
    checkpoints.make_manager(checkpoint, workdir, max_to_keep=2).save(checkpoint_number=7)
    return method


@pytest.mark.parametrize("method_name", ["rnn", "rnn_dqn", "constant"])
def test_load_generator_restores_weights(tmp_path, method_name):
    method = save_run(str(tmp_path), tiny_config(method_name))
    images = tf.random.uniform((2, 16, 16, 3), -1, 1, seed=1)
    expected = method.generate(images, 3).numpy()
    prefix = os.path.join(str(tmp_path), "checkpoints", "ckpt-7")
    for path in (str(tmp_path), os.path.join(str(tmp_path), "checkpoints"), prefix):
        generator, config = checkpoints.load_generator(path)
        assert config.method == method_name and config.model.z_dim == 4
        frames = (generator.rollout(images, 3) if method_name == "constant" else
                  generator(images, num_frames=3)["frames"])
        np.testing.assert_allclose(frames.numpy(), expected, atol=1e-6)


def test_config_json_round_trips(tmp_path):
    config = tiny_config()
    checkpoints.write_config(config, str(tmp_path))
    with open(tmp_path / "config.json") as f:
        assert json.load(f)["model"]["z_dim"] == 4
    back = checkpoints.read_config(str(tmp_path))
    assert back.to_dict() == json.loads(config.to_json_best_effort())
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp")]


def test_missing_checkpoint_or_config_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        checkpoints.load_generator(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="ckpt-3.index"):
        checkpoints.load_generator(str(tmp_path / "checkpoints" / "ckpt-3"))
    save_run(str(tmp_path), tiny_config("rnn"))
    os.remove(tmp_path / "config.json")
    with pytest.raises(FileNotFoundError, match="config.json"):
        checkpoints.load_generator(str(tmp_path))


def test_checkpoint_of_another_model_is_rejected(tmp_path):
    save_run(str(tmp_path), tiny_config("rnn", z_dim=4))
    # Same method, other sizes: a shape mismatch.
    checkpoints.write_config(tiny_config("rnn", z_dim=8), str(tmp_path))
    with pytest.raises(ValueError, match="does not match"):
        checkpoints.load_generator(str(tmp_path))
    # An RNN checkpoint has no DQN for an RNN+DQN generator.
    checkpoints.write_config(tiny_config("rnn_dqn", z_dim=4), str(tmp_path))
    with pytest.raises(ValueError, match="does not match"):
        checkpoints.load_generator(str(tmp_path))


def test_bad_config_json_names_the_file(tmp_path):
    save_run(str(tmp_path), tiny_config("rnn"))
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="config.json"):
        checkpoints.load_generator(str(tmp_path))


def test_models_holding_layers_only_in_lists_are_caught():
    import keras

    class ListModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [keras.layers.Dense(2), keras.layers.Dense(2)]

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    model = ListModel()
    model(tf.zeros((1, 2)))
    with pytest.raises(ValueError, match="would not save 4 weights"):
        checkpoints.assert_fully_tracked({"generator": model})
