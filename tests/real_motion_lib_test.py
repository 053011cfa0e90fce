"""experiments/real_motion_lib.py: a generator named once per category serves its clips."""
import types

from experiments import real_motion_lib


def clip(category):
    return types.SimpleNamespace(category=category)


def test_a_clip_goes_to_its_categorys_model_else_to_the_one_for_every_category():
    route = real_motion_lib.by_category({"water_flowing": lambda c: "water model",
                                         None: lambda c: "every-category model"})
    assert route(clip("water_flowing")) == "water model"
    assert route(clip("fire")) == "every-category model"
    per_category = real_motion_lib.by_category({"water_flowing": lambda c: "water",
                                                "fire": lambda c: "fire"})
    assert [per_category(clip(c)) for c in ("fire", "water_flowing")] == ["fire", "water"]
