"""Our bundled motion model as a row of Tables 2 and 3 (--rows=motion): scored, not
trained, from the model itself, into a run record beside the other rows' records."""
import hashlib
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.evaluation import metrics
from cinegen_tf.motion import model
from experiments import records, reproduce, tables


def _with_clip_length(make_dataset):
    """The fake data, its test clips with a `clip_length` each (seconds: 0.5, 0.75, ...)."""

    def make(data_config, split, *, batch_size, **kwargs):
        ds = make_dataset(data_config, split, batch_size=batch_size, **kwargs)
        if split != "test":
            return ds
        return ds.unbatch().enumerate().map(lambda i, ex: dict(
            ex, clip_length=0.5 + 0.25 * tf.cast(i, tf.float32))).batch(batch_size)

    return make


class _StubModel:
    """Stands in for the bundled model (whatever weights ship today): moves the photo
    right by a distance that depends on the frame rate, so a wrong fps changes the scores."""
    meta = {"data": "stub data", "steps": 1, "seed": 0}

    def animate(self, photo, num_frames, fps, seed=0):
        assert seed == 0 and photo.dtype == np.uint8
        return np.stack([np.roll(photo, round(t * 40 / fps), axis=1) for t in range(num_frames)])


@pytest.fixture(params=["stub", "bundled"])
def animator(request, monkeypatch):
    if request.param == "stub":
        stub = _StubModel()
        monkeypatch.setattr(model, "load_bundled", lambda: stub)
        return stub
    try:
        return model.load_bundled()
    except model.WeightsError as e:  # e.g. network.py changed before the weights file
        pytest.skip(f"the bundled weights do not load: {e}")


def _expected(make_dataset, animator):
    """The motion model's scores computed here, clip by clip, from the fake test clips."""
    config = tables.run_config(tables.Run("real", "fire", "motion"), tables.SCALES["smoke"])
    batches = list(make_dataset(config.data, "test",  # the fake clips depend on the batch
                                batch_size=tables.SCALES["smoke"].eval_batch_size))
    video, seconds, lengths = (np.concatenate([b[k].numpy() for b in batches])
                               for k in ("video", "clip_length", "length"))
    num_frames = video.shape[1]
    generated = []
    for clip, length in zip(video, seconds):
        photo = np.clip(np.rint((clip[0] + 1) * 127.5), 0, 255).astype(np.uint8)
        frames = animator.animate(photo, num_frames=num_frames, fps=num_frames / length, seed=0)
        assert np.array_equal(frames[0], photo)
        generated.append(frames.astype(np.float32) / 127.5 - 1.0)
    scores = metrics.SequenceMetrics()
    scores.update(np.stack(generated), video, lengths)
    return scores.result(), len(video)


def test_motion_row_is_scored_from_the_bundled_model_beside_kept_rows(tmp_path, animator,
                                                                      fake_make_dataset):
    make_dataset = _with_clip_length(fake_make_dataset)
    kwargs = dict(workdir_root=str(tmp_path / "runs"), results_dir=str(tmp_path / "results"),
                  make_dataset=make_dataset, patterns=(), categories=("fire",))
    _, js = reproduce.reproduce(3, "smoke", rows=["constant"], **kwargs)
    before = json.load(open(js))
    md, js = reproduce.reproduce(3, "smoke", rows=["motion"], **kwargs)
    after = json.load(open(js))

    assert after["records"] == ["smoke/real_clips/real-fire-constant.float32.json",
                                "smoke/real_clips/real-fire-motion.float32.json"]
    assert [c for c in after["cells"] if c["row"] != "motion"] == before["cells"]
    root = os.path.join(kwargs["results_dir"], "runs")
    motion = records.read_all(root, "smoke")["smoke/real_clips/real-fire-motion.float32.json"]
    assert motion["method"] == "motion" and motion["steps"] == 0
    assert motion["batch_size"] is None and motion["train_seconds"] == 0.0
    with open(model.BUNDLED_WEIGHTS, "rb") as f:
        assert motion["weights"]["sha256"] == hashlib.sha256(f.read()).hexdigest()
    expected, num_clips = _expected(make_dataset, animator)
    assert motion["test_sequences"] == num_clips == 3
    for metric in ("psnr", "ssim", "frame_diff_psnr", "frame_diff_ssim"):
        assert motion["metrics"][metric] == pytest.approx(expected[metric], rel=1e-5)
    text = open(md).read()
    assert "| Ours: motion model (not in the paper) | **" in text
    assert "no training: the bundled weights, see cinegen_tf/motion/MODEL_CARD.md" in text
    assert "| real-fire-motion (bundled weights, no training) | real_clips None | 0 | n/a | " \
           "float32 | 3 |" in text

    # Unchanged weights and settings: read back from result.json, not scored again.
    workdir = os.path.join(kwargs["workdir_root"], "smoke", "real_clips-None",
                           "real-fire-motion.float32")
    mtime = os.path.getmtime(os.path.join(workdir, "result.json"))
    _, js = reproduce.reproduce(2, "smoke", rows=["motion"], **kwargs)
    assert os.path.getmtime(os.path.join(workdir, "result.json")) == mtime
    assert json.load(open(js))["records"] == ["smoke/real_clips/real-fire-motion.float32.json"]


def test_motion_row_is_real_data_only_and_runs_only_when_named():
    table3 = tables.TABLES[3]
    assert "motion" not in [r.method for r in table3.runs(tables.PATTERNS, tables.CATEGORIES)]
    assert table3.runs(("eight",), ("fire",), ["motion"]) == (
        tables.Run("real", "fire", "motion"),)
    assert tables.MOTION in tables.TABLES[2].ours and tables.MOTION not in tables.TABLES[1].ours
    with pytest.raises(ValueError, match="no runs"):
        reproduce.reproduce(3, "smoke", patterns=("eight",), categories=(), rows=["motion"])
