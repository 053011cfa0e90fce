"""Our bundled motion model as a row of Tables 2 and 3 (--rows=motion): scored, not
trained, from the model itself, merged beside the rows already in the table file."""
import hashlib
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf.evaluation import metrics
from cinegen_tf.motion import model
from experiments import reproduce_lib, table_file, tables


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
    _, js = reproduce_lib.reproduce(3, "smoke", rows=["constant"], **kwargs)
    before = json.load(open(js))
    md, js = reproduce_lib.reproduce(3, "smoke", rows=["motion"], **kwargs)
    after = json.load(open(js))

    runs = {r["run"]: r for r in after["runs"]}
    assert runs["real-fire-constant"] == before["runs"][0]  # kept as it was
    assert after["invocations"][0] == before["invocations"][0] and len(after["invocations"]) == 2
    assert [c for c in after["cells"] if c["row"] != "motion"] == before["cells"]
    motion = runs["real-fire-motion"]
    assert motion["method"] == "motion" and motion["steps"] == 0 and motion["invocation"] == 2
    assert motion["train_seconds"] == 0.0 and not motion["trained_in_this_invocation"]
    with open(model.BUNDLED_WEIGHTS, "rb") as f:
        assert motion["weights"]["sha256"] == hashlib.sha256(f.read()).hexdigest()
    expected, num_clips = _expected(make_dataset, animator)
    assert motion["test_sequences"] == num_clips == 3
    for metric in ("frame_diff_psnr", "frame_diff_ssim"):
        assert motion["values"][metric] == pytest.approx(expected[metric], rel=1e-5)
    text = open(md).read()
    assert "| Ours: motion model (not in the paper) | **" in text
    assert "no training: the bundled weights, see cinegen_tf/motion/MODEL_CARD.md" in text
    assert "| real-fire-motion (bundled weights, no training) | 2 | 0 | n/a | float32 | 3 |" \
        in text

    # Unchanged weights and settings: read back from result.json, not scored again.
    result = os.path.join(motion["workdir"], "result.json")
    mtime = os.path.getmtime(result)
    _, js = reproduce_lib.reproduce(2, "smoke", rows=["motion"], **kwargs)
    assert os.path.getmtime(result) == mtime
    values = json.load(open(js))["runs"][0]["values"]
    assert values["psnr"] == pytest.approx(expected["psnr"], rel=1e-5)
    assert values["ssim"] == pytest.approx(expected["ssim"], rel=1e-5)


def test_motion_row_is_real_data_only_and_runs_only_when_named():
    table3 = tables.TABLES[3]
    assert "motion" not in [r.method for r in table3.runs(tables.PATTERNS, tables.CATEGORIES)]
    assert table3.runs(("eight",), ("fire",), ["motion"]) == (
        tables.Run("real", "fire", "motion"),)
    assert tables.MOTION in tables.TABLES[2].ours and tables.MOTION not in tables.TABLES[1].ours
    with pytest.raises(ValueError, match="no runs"):
        reproduce_lib.reproduce(3, "smoke", patterns=("eight",), categories=(),
                                rows=["motion"])


def test_an_invocation_that_trains_nothing_follows_the_tables_precision(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"runs": [{"method": "rnn", "mixed_precision": True},
                                         {"method": "motion", "mixed_precision": False}]}))
    cpu = tables.SCALES["cpu"]
    assert table_file.follow_trained_precision(str(path), cpu).mixed_precision is True
    assert table_file.follow_trained_precision(str(tmp_path / "none"), cpu) is cpu
