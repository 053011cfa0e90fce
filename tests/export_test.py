"""SavedModel export: loadable with plain TensorFlow (a subprocess that never imports
cinegen_tf) and giving the same frames as the Python path; safe overwriting."""
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf import cinemagraph
from cinegen_tf.inference import export_lib
from cinegen_tf.inference.pipeline import CinemagraphOptions
from cinegen_tf.models.generator import RecurrentGenerator
from cinegen_tf.training import checkpoints, config_lib, methods

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

SERVE_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorflow as tf

    model_dir, inputs, outputs = sys.argv[1:]
    data = np.load(inputs)
    model = tf.saved_model.load(model_dir)
    serve, generate = model.signatures["serving_default"], model.signatures["generate"]
    results = {}
    for name in ("photo", "square"):
        out = serve(image=tf.constant(data[name]))
        results[name] = out["frames"].numpy()
        results[name + "_mask"] = out["motion_mask"].numpy()
    out = generate(image=tf.constant(data["photo"]), mask=tf.constant(data["mask"]),
                   seed=tf.constant([0, 5], tf.int32))
    results["masked"] = out["frames"].numpy()
    results["masked_model_frames"] = out["model_frames"].numpy()
    assert not any(m.startswith("cinegen_tf") for m in sys.modules), "imported cinegen_tf"
    np.savez(outputs, **results)
""")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A workdir as the trainer writes it, its generator as load_generator restores it."""
    workdir = str(tmp_path_factory.mktemp("run"))
    config = config_lib.base_config()
    config.model.z_dim, config.model.num_actions, config.model.image_size = 4, 3, 16
    generator = methods.build_generator(config)
    checkpoints.write_config(config, workdir)
    checkpoint = tf.train.Checkpoint(generator=generator)
    checkpoints.make_manager(checkpoint, workdir, max_to_keep=1).save(checkpoint_number=1)
    return workdir, checkpoints.load_generator(workdir)[0]


@pytest.mark.parametrize("frozen", [False, True])
def test_exported_model_serves_the_python_frames_without_cinegen_tf(trained, tmp_path, frozen):
    workdir, generator = trained
    options = CinemagraphOptions(num_frames=5, temperature=2.0, frozen=frozen)
    model_dir = export_lib.export_checkpoint(workdir, str(tmp_path / "model"), options)
    info = json.loads((tmp_path / "model" / export_lib.INFO_FILE).read_text())
    assert info["output_frames"] == 4 and info["uses_dqn"] and info["image_size"] == 16

    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, (27, 41, 3), dtype=np.uint8)
    photo[:, :15] = 255  # a region an untrained model changes
    square = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    mask = np.zeros((5, 9), np.uint8)
    mask[:, 4:] = 255
    np.savez(tmp_path / "in.npz", photo=photo, square=square, mask=mask)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", SERVE_SCRIPT, model_dir, str(tmp_path / "in.npz"),
         str(tmp_path / "out.npz")], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    served = np.load(tmp_path / "out.npz")

    kwargs = dict(num_frames=5, temperature=2.0, frozen=frozen)
    expected = cinemagraph.generate_cinemagraph(generator, photo, seed=0, **kwargs)
    assert served["photo"].shape == (4, 27, 41, 3)
    np.testing.assert_array_equal(served["photo"], expected.frames)
    np.testing.assert_array_equal(served["photo_mask"], expected.motion_mask)
    assert served["square"].shape == (4, 16, 16, 3)
    np.testing.assert_array_equal(
        served["square"], cinemagraph.make_cinemagraph(generator, square, seed=0, **kwargs))
    masked = cinemagraph.generate_cinemagraph(generator, photo, mask=mask, seed=5, **kwargs)
    np.testing.assert_array_equal(served["masked"], masked.frames)
    np.testing.assert_array_equal(served["masked_model_frames"], masked.model_frames)
    assert (masked.frames[:, :, :15] == photo[:, :15]).all()  # the mask froze the left


def test_export_replaces_a_saved_model_but_nothing_else(tmp_path):
    generator = RecurrentGenerator(z_dim=4, num_actions=0, image_size=16).build_all()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a SavedModel"):
        export_lib.export(generator, str(busy), CinemagraphOptions(num_frames=3))
    assert os.listdir(busy) == ["notes.txt"]

    old = tmp_path / "model"
    old.mkdir()
    (old / "saved_model.pb").write_bytes(b"an older export")
    (old / "stale.txt").write_text("from the old export")
    export_lib.export(generator, str(old), CinemagraphOptions(num_frames=3, loop="none"))
    assert "stale.txt" not in os.listdir(old)
    assert sorted(os.listdir(tmp_path)) == ["busy", "model"]  # no temporary folders left
    loaded = tf.saved_model.load(str(old))  # keep a reference: it owns the variables
    assert loaded.serve(tf.zeros((8, 8, 3), tf.uint8))["frames"].shape == (3, 8, 8, 3)


def test_export_binary_reports_a_missing_checkpoint(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-m", "cinegen_tf.export", f"--checkpoint={tmp_path / 'none'}",
         f"--output={tmp_path / 'model'}"], cwd=REPO_ROOT, env=env, capture_output=True,
        text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert os.listdir(tmp_path) == []
