"""The evaluator: result.json of trained and weightless runs, constant baseline, follow mode."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.evaluation import eval_lib, result_file
from cinegen_tf.models.constant import ConstantBaseline
from cinegen_tf.training import config_lib, train_lib

NUM_FRAMES = 5  # input + 4 to generate
SIZE = 16
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def render_sequences(seed, count, size=SIZE, num_frames=NUM_FRAMES, real=False):
    """Squares moving right over noise; lengths 3..T (synthetic) or T (real), with masks."""
    rng = np.random.default_rng(seed)
    video = np.zeros((count, num_frames, size, size, 3), np.float32) - 1.0
    mask = np.zeros((count, num_frames, size, size, 1), np.float32)
    centers = np.full((count, num_frames, 2), -1.0, np.float32)
    length = (np.full((count,), num_frames) if real
              else rng.integers(3, num_frames + 1, count)).astype(np.int32)
    for b in range(count):
        background = rng.uniform(-1, 0, (size, size, 3))
        top, left = rng.integers(0, size // 2, 2)
        color = rng.uniform(0.5, 1.0, 3)
        for t in range(length[b]):
            x = min(left + t, size - 4)
            video[b, t] = background
            video[b, t, top:top + 4, x:x + 4] = color
            mask[b, t, top:top + 4, x:x + 4] = 1
            centers[b, t] = (top + 1.5, x + 1.5)
    batch = {"video": video, "length": length}
    if not real:
        batch.update(mask=mask, centers=centers)
    return batch


def make_fake_dataset(size=SIZE, num_frames=NUM_FRAMES, num_test=5):
    """A make_dataset with the pipeline's signature: train infinite, test `num_test` clips."""

    def make_dataset(data_config, split, *, batch_size, seed=0, training=False, start_step=0,
                     data_dir=None):
        del data_dir
        real = data_config.get("name") == "real"
        count = data_config.get("num_test_sequences", num_test) if split == "test" else None

        def gen():
            k = start_step
            while True:
                if count is not None and k * batch_size >= count:
                    return
                n = batch_size if count is None else min(batch_size, count - k * batch_size)
                yield render_sequences([seed, k, split == "test"], n, size, num_frames, real)
                k += 1

        spec = {"video": tf.TensorSpec((None, num_frames, size, size, 3), tf.float32),
                "length": tf.TensorSpec((None,), tf.int32)}
        if not real:
            spec.update(mask=tf.TensorSpec((None, num_frames, size, size, 1), tf.float32),
                        centers=tf.TensorSpec((None, num_frames, 2), tf.float32))
        return tf.data.Dataset.from_generator(gen, output_signature=spec)

    return make_dataset


def tiny_config(method="rnn_dqn", num_steps=2):
    config = config_lib.base_config()
    config.method = method
    config.model.update(z_dim=4, num_actions=3, image_size=SIZE)
    config.train.update(batch_size=2, num_steps=num_steps, steps_per_loop=1,
                        checkpoint_every=1, eval_every=num_steps, eval_batch_size=2,
                        num_gif_samples=0)
    config.dqn.epsilon_decay_steps = 2
    return config


@pytest.fixture(scope="module")
def trained_workdir(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("run"))
    train_lib.run(tiny_config(), workdir, make_dataset=make_fake_dataset())
    return workdir


def test_trained_run_writes_valid_result_json(trained_workdir, tmp_path):
    out = str(tmp_path / "out")
    result = eval_lib.run(checkpoint=trained_workdir, workdir=out, num_sequences=5,
                          batch_size=2, make_dataset=make_fake_dataset())
    with open(os.path.join(out, result_file.RESULT_FILE)) as f:
        on_disk = json.load(f)  # strict JSON: NaN would have been written as null
    assert on_disk == result
    assert on_disk["latest_step"] == 2 and list(on_disk["steps"]) == ["2"]
    entry = on_disk["steps"]["2"]
    assert entry["checkpoint"].endswith("ckpt-2")
    assert entry["counts"]["num_clips"] == 5  # 2 + 2 + 1: the short last batch counts
    assert entry["counts"]["sequence_length"] == NUM_FRAMES
    for name in ("psnr", "ssim", "frame_diff_psnr", "frame_diff_ssim"):
        assert np.isfinite(entry["metrics"][name])
        assert len(entry["per_step"][name + "_per_step"]) == NUM_FRAMES - 1
    assert entry["centre_distance"]["num_frames"] > 0
    settings = on_disk["settings"]
    assert settings["padding_frames_scored"] is False and settings["split"] == "test"
    assert on_disk["seeds"] == {"train": 0, "data": 0}
    assert os.listdir(os.path.join(out, "eval_test"))  # TensorBoard scalars


def test_untrained_and_earlier_steps_accumulate(trained_workdir, tmp_path):
    out = str(tmp_path)
    fake = make_fake_dataset()
    prefix = os.path.join(trained_workdir, "checkpoints", "ckpt-1")
    eval_lib.run(checkpoint=prefix, workdir=out, batch_size=2, make_dataset=fake)
    result = eval_lib.run(checkpoint=trained_workdir, workdir=out, batch_size=2,
                          make_dataset=fake)
    assert sorted(result["steps"], key=int) == ["1", "2"]
    # Other settings start the file over rather than mixing incomparable numbers.
    result = eval_lib.run(checkpoint=trained_workdir, workdir=out, batch_size=2,
                          num_sequences=3, make_dataset=fake)
    assert list(result["steps"]) == ["2"]
    assert result["steps"]["2"]["counts"]["num_clips"] == 3


def test_constant_baseline_has_all_zero_difference_images(tmp_path):
    batch = render_sequences(7, 3)
    generated = eval_lib.make_generate(ConstantBaseline(), tiny_config("constant"))(
        tf.constant(batch["video"][:, 0]), NUM_FRAMES - 1).numpy()
    frames = np.concatenate([batch["video"][:, :1], generated], axis=1)
    np.testing.assert_array_equal(np.diff(frames, axis=1), 0.0)

    result = eval_lib.run(config=tiny_config("constant"), workdir=str(tmp_path),
                          num_sequences=3, batch_size=3,
                          make_dataset=lambda *a, **k: tf.data.Dataset.from_tensors(batch))
    # By hand: every scored difference is compared with the zero image, at peak 2.
    target = (batch["video"] + 1) / 2
    diffs = np.diff(target, axis=1)
    psnr = []
    for b, length in enumerate(batch["length"]):
        mse = np.maximum(np.mean(diffs[b, :length - 1] ** 2, axis=(1, 2, 3)), (1 / 255) ** 2)
        psnr.append(np.mean(10 * np.log10(4.0 / mse)))
    entry = result["steps"]["0"]
    assert result["method"] == "constant" and entry["checkpoint"] is None
    np.testing.assert_allclose(entry["metrics"]["frame_diff_psnr"], np.mean(psnr), rtol=1e-4)
    assert os.path.isfile(os.path.join(str(tmp_path), "config.json"))


def test_follow_stops_at_the_final_checkpoint(trained_workdir, tmp_path):
    result = eval_lib.run(workdir=trained_workdir, follow=True, timeout_s=5, min_interval_s=0,
                          batch_size=2, make_dataset=make_fake_dataset())
    assert result["latest_step"] == 2


def test_bad_inputs_get_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="has trained weights"):
        eval_lib.run(config=tiny_config("rnn"), workdir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        eval_lib.run(workdir=str(tmp_path))
    with pytest.raises(ValueError, match="num_sequences"):
        eval_lib.run(config=tiny_config("constant"), workdir=str(tmp_path), num_sequences=0)
    with pytest.raises(ValueError, match="ckpt-<step>|-<step>"):
        eval_lib.checkpoint_step("/x/model")


def test_binary_scores_the_constant_baseline_on_rendered_data(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    subprocess.run([sys.executable, "-m", "cinegen_tf.evaluate",
                    "--config=experiments/configs/synthetic.py:rotate,constant",
                    f"--workdir={tmp_path}", "--num_sequences=2", "--batch_size=2"],
                   cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    with open(tmp_path / "result.json") as f:
        result = json.load(f)
    entry = result["steps"]["0"]
    assert entry["counts"]["num_clips"] == 2 and entry["counts"]["sequence_length"] == 21
    assert result["settings"]["data"]["pattern"] == "rotate"
    assert entry["centre_distance"]["num_frames"] > 0
