"""The ablation runner of our layered generator: variant configs and the rendered table."""
import json
import pathlib

import pytest

from experiments import ablation_lib
from experiments.configs import quickstart


def test_each_variant_switches_one_ingredient_of_the_quickstart():
    base = ablation_lib.variant_config("rotate", "quickstart")
    assert base.model.transform and base.model.clock  # rotate's own layered config
    assert base.train.num_steps == quickstart.get_config().train.num_steps
    assert ablation_lib.variant_config("eight", "quickstart") == quickstart.get_config()
    for variant, (_, overrides) in ablation_lib.VARIANTS.items():
        if overrides is None:
            continue
        config = ablation_lib.variant_config("rotate", variant)
        assert config.data.pattern == "rotate"
        assert config.train.num_steps == base.train.num_steps
        for key, value in overrides.items():
            section, name = key.split(".")
            assert config[section][name] == value != base[section][name]


def test_render_lists_every_variant_and_marks_missing_ones():
    cell = dict(psnr=24.5, ssim=0.9, centre_distance=11.1, no_match_rate=0.034,
                parameters=1234, train_minutes=8.8, steps=600, batch_size=16,
                precision="bfloat16", invocation=0)
    data = {"cells": {"eight/quickstart": cell},
            "invocations": [{"finished_utc": "2026-12-05T00:00:00Z", "code": "abc",
                             "wall_seconds": 60.0,
                             "hardware": {"cpu": "cpu", "cpu_flags": ["avx2"],
                                          "usable_cores": 2, "tensorflow": "2.21",
                                          "load_average_1_5_15_min": [1.0, 1.0, 1.0]}}]}
    text = ablation_lib.render(data)
    assert "| 24.55 |" not in text and "| 24.50 | 0.9000 | 11.10 | 3.4% | 1,234 | 8.8 |" in text
    for label, _ in ablation_lib.VARIANTS.values():
        assert label in text and "|" not in label  # a pipe would break the table
    assert text.count("not run") == len(ablation_lib.VARIANTS) - 1
    assert "## rotate" not in text  # no cells, no section


def test_unknown_pattern_or_variant_is_refused(tmp_path):
    with pytest.raises(ValueError, match="pattern 'scale'"):
        ablation_lib.run(["scale"], ["quickstart"], str(tmp_path), str(tmp_path))
    with pytest.raises(ValueError, match="variant 'bigger'"):
        ablation_lib.run(["eight"], ["bigger"], str(tmp_path), str(tmp_path))


def test_committed_ablation_table_is_the_rendering_of_its_json():
    results = pathlib.Path(__file__).resolve().parents[1] / "experiments" / "results"
    data = json.loads((results / (ablation_lib.RESULTS_NAME + ".json")).read_text())
    assert (results / (ablation_lib.RESULTS_NAME + ".md")).read_text() == ablation_lib.render(data)
