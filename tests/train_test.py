"""The training loop: one step of every method, resume == uninterrupted, NaN stop, summaries."""
import glob
import os
import time

import imageio.v3 as iio
import keras
import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.training import checkpoints, config_lib, loop, train_lib

# A tiny in-memory stand-in for cinegen_tf.data.pipeline.make_dataset: batch k of the train
# split is a pure function of (seed, k), like the procedural source, so a resumed run
# (start_step=k) sees the same batches as an uninterrupted one.

NUM_FRAMES = 4  # input + 3 to generate
SIZE = 16


def render_batch(seed, index, batch_size, size=SIZE, nan=False):
    """A square moving right over a noise background: float32 (B, T, S, S, 3) in [-1, 1]."""
    rng = np.random.default_rng([seed, index])
    video = np.empty((batch_size, NUM_FRAMES, size, size, 3), np.float32)
    for b in range(batch_size):
        background = rng.uniform(-1, 0, (size, size, 3))
        top, left = rng.integers(0, size - 4, 2)
        color = rng.uniform(0.5, 1.0, 3)
        for t in range(NUM_FRAMES):
            frame = background.copy()
            x = min(left + 2 * t, size - 4)
            frame[top:top + 4, x:x + 4] = color
            video[b, t] = frame
    if nan:
        video[0, 1, 0, 0, 0] = np.nan
    return {"video": video, "length": np.full((batch_size,), NUM_FRAMES, np.int32)}


def make_fake_dataset(nan_at_step=None, size=SIZE):
    """Returns a make_dataset with the pipeline's signature; batch `nan_at_step` holds a NaN."""

    def make_dataset(data_config, split, *, batch_size, seed=0, training=False, start_step=0,
                     data_dir=None):
        del data_config, data_dir
        offset = 0 if split == "train" else 10_000
        count = None if training else 1

        def gen():
            k = start_step
            while count is None or k - start_step < count:
                yield render_batch(seed + offset, k, batch_size, size, nan=(k == nan_at_step))
                k += 1

        spec = {"video": tf.TensorSpec((batch_size, NUM_FRAMES, size, size, 3), tf.float32),
                "length": tf.TensorSpec((batch_size,), tf.int32)}
        return tf.data.Dataset.from_generator(gen, output_signature=spec)

    return make_dataset


def tiny_config(method="rnn_dqn", **train):
    config = config_lib.base_config()
    config.method = method
    config.model.z_dim = 4
    config.model.num_actions = 3
    config.model.image_size = 32 if method == "mathieu" else SIZE
    config.train.update(batch_size=2, num_steps=2, steps_per_loop=1, checkpoint_every=2,
                        eval_every=2, eval_batch_size=2, num_gif_samples=2)
    config.train.update(train)
    config.dqn.epsilon_decay_steps = 4
    config.dqn.target_sync_every = 3
    return config


def run(config, workdir, nan_at_step=None):
    return train_lib.run(config, str(workdir),
                         make_dataset=make_fake_dataset(nan_at_step, config.model.image_size))


def checkpoint_values(prefix):
    reader = tf.train.load_checkpoint(prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
            if not name.startswith("_CHECKPOINTABLE") and "save_counter" not in name}


@pytest.mark.parametrize("method", ["rnn", "rnn_dqn", "mathieu", "constant"])
def test_one_step_smoke(tmp_path, method):
    result = run(tiny_config(method, num_steps=1), tmp_path)
    assert os.path.isfile(tmp_path / "config.json")
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")) is not None
    assert glob.glob(str(tmp_path / "events.out.tfevents.*"))
    assert glob.glob(str(tmp_path / "samples" / "step_*.png"))
    gifs = glob.glob(str(tmp_path / "samples" / "step_*.gif"))
    assert gifs and len(iio.imread(gifs[0], index=None)) == NUM_FRAMES  # input + 3 frames
    assert all(np.isfinite(v) for v in result["eval"].values())
    if method != "constant":
        assert result["step"] == 1
        assert all(np.isfinite(v) for v in result["train"].values())
    generator, config = checkpoints.load_generator(str(tmp_path))
    assert config.method == method


def test_resume_equals_uninterrupted(tmp_path):
    straight = run(tiny_config(num_steps=4), tmp_path / "straight")
    first = run(tiny_config(num_steps=2), tmp_path / "resumed")
    assert first["step"] == 2
    resumed = run(tiny_config(num_steps=4), tmp_path / "resumed")  # new models, restore
    assert resumed["step"] == 4
    for name, value in straight["train"].items():
        np.testing.assert_allclose(resumed["train"][name], value, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    a = checkpoint_values(str(tmp_path / "straight" / "checkpoints" / "ckpt-4"))
    b = checkpoint_values(str(tmp_path / "resumed" / "checkpoints" / "ckpt-4"))
    assert a.keys() == b.keys()
    # Optimizer moments and the target network are part of the comparison.
    assert any("optimizer" in k for k in a) and any("target_q_network" in k for k in a)
    for name in a:
        np.testing.assert_allclose(b[name], a[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_training_time_is_logged_with_each_checkpoint_over_sessions(tmp_path):
    workdir = str(tmp_path)
    run(tiny_config("rnn", num_steps=2, checkpoint_every=1), workdir)
    one, two = checkpoints.train_time(workdir, 1), checkpoints.train_time(workdir, 2)
    assert one["complete"] and two["complete"] and 0 < one["seconds"] < two["seconds"]
    start = time.perf_counter()
    run(tiny_config("rnn", num_steps=3, checkpoint_every=1), workdir)  # a second session
    second_session = time.perf_counter() - start
    three = checkpoints.train_time(workdir, 3)
    assert three["complete"]
    assert two["seconds"] < three["seconds"] <= two["seconds"] + second_session + 0.1
    # A checkpoint older than the log: the later sessions' time is a lower bound.
    os.remove(os.path.join(workdir, "checkpoints", checkpoints.TRAIN_TIME_FILE))
    run(tiny_config("rnn", num_steps=4, checkpoint_every=1), workdir)
    assert checkpoints.train_time(workdir, 3) is None
    four = checkpoints.train_time(workdir, 4)
    assert not four["complete"] and 0 < four["seconds"]


def test_non_finite_loss_stops_and_keeps_last_checkpoint(tmp_path):
    config = tiny_config("rnn", num_steps=6)
    with pytest.raises(loop.NonFiniteLossError, match="training step 2 .*ckpt-2"):
        run(config, tmp_path, nan_at_step=2)
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")).endswith("ckpt-2")
    values = checkpoint_values(str(tmp_path / "checkpoints" / "ckpt-2"))
    assert all(np.all(np.isfinite(v)) for v in values.values() if v.dtype.kind == "f")
    # Without the bad batch the run resumes from that checkpoint and finishes.
    assert run(config, tmp_path)["step"] == 6


def test_resuming_another_model_is_refused(tmp_path):
    run(tiny_config("rnn", num_steps=2), tmp_path)
    with pytest.raises(ValueError, match="another run"):
        run(tiny_config("rnn_dqn", num_steps=2), tmp_path)


def test_summaries_hold_scalars_and_an_animated_gif(tmp_path):
    run(tiny_config("rnn_dqn", num_steps=2), tmp_path)
    tags, gifs = set(), []
    for path in glob.glob(str(tmp_path / "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags.add(value.tag)
                if value.HasField("image") and value.image.encoded_image_string[:6] == b"GIF89a":
                    gifs.append(value.image)
    for tag in ("train/generator_loss", "train/discriminator_loss", "train/td_loss",
                "train/mean_max_q", "train/epsilon", "train/reward", "eval/psnr", "eval/ssim",
                "eval/mse"):
        assert tag in tags, tag
    assert gifs, "no GIF image summary"
    # Two samples of (input + 3 frames), ground truth | generated side by side.
    assert (gifs[0].height, gifs[0].width) == (2 * (SIZE + 2),
                                               2 * (SIZE + 2))


@pytest.mark.parametrize("method", ["rnn_dqn", "mathieu"])
def test_mixed_precision_trains_and_restores_the_policy(tmp_path, method):
    before = keras.mixed_precision.global_policy().name
    result = run(tiny_config(method, num_steps=1, mixed_precision=True), tmp_path)
    assert all(np.isfinite(v) for v in result["train"].values())
    assert keras.mixed_precision.global_policy().name == before
