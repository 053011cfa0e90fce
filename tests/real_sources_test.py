"""Tests of manual_dir scanning, planning and sampling (cinegen_tf.data.real_sources)."""
import threading
import time

import numpy as np
import pytest

from cinegen_datasets.real_cinemagraphs import fake_manual_dir as fake
from cinegen_tf.data import clips
from cinegen_tf.data import real_sources


def test_category_folder_accepts_the_alias_and_rejects_ambiguity(tmp_path):
    (tmp_path / "water").mkdir()
    assert real_sources.category_folder(tmp_path, "water_flowing").name == "water"
    (tmp_path / "water_flowing").mkdir()
    with pytest.raises(ValueError, match="both water_flowing/ and water/"):
        real_sources.category_folder(tmp_path, "water_flowing")
    with pytest.raises(ValueError, match="no folder fire/"):
        real_sources.category_folder(tmp_path, "fire")
    with pytest.raises(ValueError, match="unknown category 'lava'"):
        real_sources.category_folder(tmp_path, "lava")


def test_find_sources_orders_naturally_and_logs_strays(tmp_path):
    fire = tmp_path / "fire"
    fire.mkdir()
    for name in ("b10.gif", "b2.mp4", ".DS_Store", "readme.md"):
        (fire / name).write_bytes(b"x")
    (fire / "frames").mkdir()
    log = real_sources.SkipLog()
    sources = real_sources.find_sources(tmp_path, ["fire"], log)
    assert [s.name for s in sources] == ["b2.mp4", "b10.gif", "frames"]
    assert all(s.category == "fire" for s in sources)
    assert [(s.path.endswith("readme.md"), "unsupported" in s.reason) for s in log.skips()] == [
        (True, True)]


def test_plan_and_sample_a_manual_dir(tmp_path):
    expected = {(s.category, s.name): s for s in fake.write_manual_dir(tmp_path)}
    log = real_sources.SkipLog()
    sources = real_sources.find_sources(tmp_path, real_sources.CATEGORIES, log)
    plans = real_sources.plan_sources(sources, log, workers=2)
    sampled = list(real_sources.sample_sources(plans, log, size=32, workers=2))
    counts = {}
    for item in sampled:
        key = (item.plan.source.category, item.plan.source.name)
        counts[key] = counts.get(key, 0) + 1
        assert item.frames.shape == (6, 32, 32, 3) and item.frames.dtype == np.uint8
        assert item.plan.source.split == expected[key].split
    assert counts == {k: s.num_clips for k, s in expected.items() if s.num_clips}
    skipped = {skip.path.rsplit("/", 1)[-1] for skip in log.skips()}
    assert skipped == {s.name for s in expected.values() if not s.num_clips}
    by_split = {split: {s.path.rsplit("/", 1)[-1] for s in log.skips(split)}
                for split in ("train", "test")}
    assert by_split["test"] == {s.name for s in expected.values()
                                if not s.num_clips and s.split == "test"}
    assert "skipped:" in log.summary() and "truncated.mp4" in log.summary()


def test_ordered_map_keeps_order_and_runs_in_parallel():
    active, peak, lock = [0], [0], threading.Lock()

    def work(x):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.02 * (5 - x % 5))  # later items finish first
        with lock:
            active[0] -= 1
        return x * x

    assert list(real_sources.ordered_map(work, range(10), workers=3)) == [
        x * x for x in range(10)]
    assert peak[0] > 1
    assert list(real_sources.ordered_map(work, range(4), workers=1)) == [0, 1, 4, 9]


def test_every_shared_real_clip_plans_the_paper_clip_count(real_clips_dir):
    log = real_sources.SkipLog()
    sources = real_sources.find_sources(real_clips_dir, real_sources.CATEGORIES, log)
    plans = real_sources.plan_sources(sources, log, workers=2)
    assert not log.skips(), log.summary()
    assert len(plans) == len(sources) >= 15
    for plan in plans:
        assert len(plan.clips) == clips.num_clips(plan.timeline.duration), plan.source.label
