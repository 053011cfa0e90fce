"""Shared pytest fixtures: quiet TF logs, seeded Keras, the shared real clips."""
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
# Real water/fire clips shipped beside the repo (never inside the package).
REAL_CLIPS_DIR = REPO_ROOT.parent / "shared" / "data" / "real_clips"


@pytest.fixture
def real_clips_dir():
    if not REAL_CLIPS_DIR.is_dir():
        pytest.skip(f"real clips not found at {REAL_CLIPS_DIR}")
    return REAL_CLIPS_DIR
