"""Shared pytest fixtures: quiet TF logs, seeded Keras, the shared real clips, fake data."""
import importlib.util
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


@pytest.fixture(scope="session")
def fake_make_dataset():
    """tests/eval_lib_test.py's in-memory make_dataset (64x64, 4 frames, 3 test batches),
    loaded by path (tests are not a package), for the table runner's smoke tables."""
    spec = importlib.util.spec_from_file_location("eval_lib_test_data",
                                                  REPO_ROOT / "tests" / "eval_lib_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_fake_dataset(size=64, num_frames=4, num_test=3)
