"""cinegen_tf.study.videos, .stimuli and `python -m cinegen_tf.study prepare`: the real test
split and each method's cinemagraph of its first frame, encoded alike, with a manifest."""
import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageSequence

from cinegen_tf.study import stimuli
from cinegen_tf.study import trials
from cinegen_tf.study import videos

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "study_helpers", pathlib.Path(__file__).with_name("study_helpers.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)


def gif_frames(path, frame_ms=200):
    """(uint8 (T, H, W, 3), loop) of a GIF whose frames last `frame_ms` each: the encoder
    stores identical consecutive frames as one longer frame, expanded back here."""
    frames = []
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            repeats, rest = divmod(frame.info["duration"], frame_ms)
            assert rest == 0, frame.info["duration"]
            frames += [np.asarray(frame.convert("RGB"))] * repeats
        return np.stack(frames), image.info.get("loop")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A study prepared by the binary from the fake real data, an untrained RNN+DQN and
    the constant baseline."""
    data_dir = helpers.build_fake_real_data(tmp_path_factory.mktemp("manual"),
                                            tmp_path_factory.mktemp("tfds"))
    workdir = helpers.save_tiny_checkpoint(tmp_path_factory.mktemp("run"), "rnn_dqn", step=3)
    study_dir = tmp_path_factory.mktemp("studies") / "fake"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-m", "cinegen_tf.study", "prepare", f"--study_dir={study_dir}",
         f"--methods=rnn_dqn={workdir},constant", f"--data_dir={data_dir}", "--fps=5",
         "--attention_checks=1"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "3 clips" in out.stdout
    return study_dir, workdir, data_dir


def test_manifest_names_clips_methods_checkpoints_and_encoding(prepared):
    study_dir, workdir, data_dir = prepared
    manifest = stimuli.load_manifest(study_dir)
    assert manifest["name"] == "fake"
    assert [m["key"] for m in manifest["methods"]] == ["rnn_dqn", "constant"]
    dqn, constant = manifest["methods"]
    assert dqn["label"] == "RNN+DQN" and dqn["method"] == "rnn_dqn" and dqn["step"] == 3
    assert dqn["workdir"] == os.path.abspath(workdir)
    assert dqn["checkpoint"].endswith("ckpt-3") and dqn["temperature"] == 0.0
    assert constant["workdir"] is None and constant["step"] is None
    assert manifest["encoding"] == {"format": "gif", "size": [64, 64], "num_frames": 6,
                                    "fps": 5.0, "loop": "forever", "display_size": 256}
    assert manifest["design"]["attention_checks"] == 1
    assert manifest["data"]["split"] == "test" and manifest["data"]["data_dir"] == data_dir
    assert sorted(c["category"] for c in manifest["clips"]) == ["fire", "water_flowing",
                                                                "water_flowing"]
    assert all(c["source"] for c in manifest["clips"])


def test_every_stimulus_is_encoded_alike_and_named_opaquely(prepared):
    study_dir, _, _ = prepared
    manifest = stimuli.load_manifest(study_dir)
    names = [n for c in manifest["clips"] for n in c["stimuli"].values()]
    assert len(names) == len(set(names)) == 3 * 4  # real, broken, 2 methods per clip
    assert sorted(os.listdir(study_dir / "stimuli")) == sorted(names)
    for clip in manifest["clips"]:
        videos = {}
        for key, name in clip["stimuli"].items():
            assert key not in name and "real" not in name
            frames, loop = gif_frames(study_dir / "stimuli" / name)  # 5 fps
            assert frames.shape == (6, 64, 64, 3) and loop == 0, key
            videos[key] = frames.astype(int)
        # Every cinemagraph starts from the real clip's first frame (up to GIF palettes).
        for key in ("rnn_dqn", "constant"):
            assert np.abs(videos[key][0] - videos["real"][0]).mean() < 3, key
        assert np.abs(videos["constant"] - videos["real"][0]).mean() < 3  # never moves
        assert np.abs(videos["real"][1:] - videos["real"][:-1]).mean() > 1  # the real one does
        assert np.abs(videos["broken"] - videos["real"]).mean() > 40  # obviously broken


def test_a_study_is_never_prepared_over_another(prepared):
    study_dir, _, _ = prepared
    with pytest.raises(FileExistsError, match="already holds a study"):
        helpers.make_study(study_dir)


def test_method_specs_are_checked():
    assert stimuli.parse_methods(["rnn=runs/a", "constant", "my_gen=runs/b"]) == {
        "rnn": "runs/a", "constant": None, "my_gen": "runs/b"}
    for specs, message in ((["rnn"], "give its workdir"), (["rnn=a", "rnn=b"], "twice"),
                           (["real=runs/a"], "key must be"), (["RNN=a"], "key must be"),
                           (["a/b=c"], "key must be"), ([], "at least one")):
        with pytest.raises(ValueError, match=message):
            stimuli.parse_methods(specs)


def test_broken_clip_is_seeded_and_differs_from_the_clip():
    clip = helpers.fake_clips(1)[0].frames
    a, b = videos.broken_frames(clip, [1, 2]), videos.broken_frames(clip, [1, 2])
    np.testing.assert_array_equal(a, b)
    assert a.shape == clip.shape and a.dtype == np.uint8
    assert np.abs(a.astype(int) - clip).mean() > 60


def test_a_later_generator_is_just_another_method(tmp_path):
    manifest = helpers.make_study(tmp_path, methods=("rnn_dqn", "layered", "next_idea"))
    assert [m["label"] for m in manifest["methods"]] == [
        "RNN+DQN", "Ours: layered (not in the paper)", "next_idea"]
    assert all(len(t["options"]) == 3 for t in trials.plan(manifest, 1)
               if t["experiment"] == "preference" and t["kind"] == "main")
