"""How the bundled motion model (ours, not in the paper) moves real photos, against the
clips they came from: writes experiments/results/real_motion.{md,json}.

    python -m experiments.real_motion                        # test split, every row
    python -m experiments.real_motion --checkpoints=layered=W1,layered=W2,rnn_dqn=W3
    python -m experiments.real_motion --ablation             # -> real_motion_ablation.*

For every source of the split (default test) of the 83-clip set: the photo is the clip's
first frame at full resolution; each method's cinemagraph of it (a 2-second loop at the
clip's frame rate) is scored against the clip's first second, both at 160 px wide
(experiments/real_motion_lib.py, cinegen_tf/evaluation/motion_scores.py). Medians per
category are checked against the bars of issue 32. `--ablation` scores the model with
one ingredient of its rendering at a time instead.
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # provenance and checkpoint loading import TensorFlow

import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from absl import flags  # noqa: E402

from cinegen_tf.evaluation import motion_scores  # noqa: E402
from cinegen_tf.motion import model as motion_model  # noqa: E402
from cinegen_tf.motion import prepared, render  # noqa: E402
from cinegen_tf.training import precision  # noqa: E402
from cinegen_tf.training.checkpoints import write_atomically  # noqa: E402
from experiments import real_motion_lib as lib  # noqa: E402
from experiments.records import code_version  # noqa: E402

_MANUAL_DIR = flags.DEFINE_string("manual_dir", "../shared/data/real_cinemagraphs",
                                  "Real cinemagraphs (water/, fire/).")
_SPLIT = flags.DEFINE_enum("split", "test", ["train", "test"], "Which sources to score.")
_WEIGHTS = flags.DEFINE_string("weights", None, "Motion model weights (default: bundled).")
_CHECKPOINTS = flags.DEFINE_list("checkpoints", [], "NAME=WORKDIR of trained generators "
                                 "to score beside ours (e.g. layered=..., rnn_dqn=...).")
_ABLATION = flags.DEFINE_bool("ablation", False, "Score rendering ingredients instead.")
_RESULTS_DIR = flags.DEFINE_string("results_dir", "experiments/results", "Output folder.")
_LIMIT = flags.DEFINE_integer("limit", None, "At most this many sources per category, "
                              "spread over the list (a quick look; the results name it).")

BARS = {  # issue 32: medians per category
    "water_flowing": {"recall": (0.4, None), "still_kept": (0.9, None),
                      "motion_ratio": (0.4, 2.5), "direction": (0.5, None), "seam": (None, 1.5)},
    "fire": {"recall": (0.4, None), "still_kept": (0.9, None),
             "motion_ratio": (0.4, 2.5), "seam": (None, 1.5)},
}
COLUMNS = ("recall", "still_kept", "motion_ratio", "direction", "seam", "psnr", "ssim",
           "frame_diff_psnr", "frame_diff_ssim")
VARIANTS = {
    "full (steady + sway + flicker)": render.Ingredients(),
    "motion only (steady + sway)": render.Ingredients(flicker=False),
    "steady only (Eulerian field)": render.Ingredients(sway=False, flicker=False),
    "no steady (sway + flicker)": render.Ingredients(steady=False),
    "flicker only": render.Ingredients(steady=False, sway=False),
}


def _methods(animator):
    ours = lambda c, ing=render.Ingredients(): animator.animate(  # noqa: E731
        c.photo, lib.loop_frames(c.fps), c.fps, ingredients=ing)
    if _ABLATION.value:
        return {name: (lambda c, ing=ing: ours(c, ing)) for name, ing in VARIANTS.items()}
    methods = {"ours: motion model (not in the paper)": ours,
               "oracle: clip's time-averaged flow": lib.oracle_mean,
               "oracle: clip's chained flows": lib.oracle_chained,
               "constant (the photo)": lib.constant}
    trained = {}  # name -> {category or None: method}
    for item in _CHECKPOINTS.value:
        name, _, workdir = item.partition("=")
        if not workdir:
            raise cli.UserError(f"--checkpoints={item}: expected NAME=WORKDIR")
        category, method = lib.checkpoint_method(workdir)
        if category in trained.setdefault(name, {}):
            raise cli.UserError(f"--checkpoints: two workdirs for {name} on "
                                f"{category or 'every category'}")
        trained[name][category] = method
    for name, per_category in trained.items():
        missing = [c for c in BARS if c not in per_category and None not in per_category]
        if missing:
            raise cli.UserError(f"--checkpoints: no {name} workdir trained on "
                                f"{', '.join(missing)} (or on every category)")
        methods[f"{name} (cpu scale)"] = lib.by_category(per_category)
    return methods


def medians(rows, methods):
    out = {}
    for method in methods:
        out[method] = {}
        for category in BARS:
            picked = [r["scores"][method] for r in rows if r["category"] == category]
            out[method][category] = {k: motion_scores.summarize(picked, k) for k in COLUMNS}
    return out


def check_bars(summary):
    result = {}
    for category, bars in BARS.items():
        for key, (low, high) in bars.items():
            value = summary[category][key]
            ok = bool(np.isfinite(value) and (low is None or value >= low)
                      and (high is None or value <= high))
            result[f"{category}/{key}"] = dict(value=value, low=low, high=high, passed=ok)
    return result


def _fmt(value):
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.2f}"


def render_markdown(record):
    s = record["settings"]
    lines = [f"# {record['title']}", "",
             "Generated by `" + s["command"] + "`; never edited by hand. Ours is not in the "
             "paper. Each method animates the first frame of every "
             f"{s['split']}-split source at full resolution (2-second loop at the clip's "
             "frame rate); its first second is scored against the clip's first second at "
             "160 px wide. Moving = temporal std of luminance > 3 grey levels.", "",
             f"- Sources: {s['sources']}; weights: {s['weights']}",
             f"- Model: {s['model_meta']}",
             f"- Hardware: {s['hardware']}; {s['minutes']:.1f} min; code {s['code_version']}",
             ""]
    if "bars" in record:
        lines += ["## Bars (issue 32, medians per category)", "",
                  "| measure | median | bar | holds |", "|---|---|---|---|"]
        for key, bar in record["bars"].items():
            text = " and ".join(t for t in (
                f">= {bar['low']}" if bar["low"] is not None else "",
                f"<= {bar['high']}" if bar["high"] is not None else "") if t)
            lines.append(f"| {key} | {_fmt(bar['value'])} | {text} | "
                         f"{'yes' if bar['passed'] else 'NO'} |")
        lines.append("")
    lines += ["## Medians per category", "",
              "| method | category | " + " | ".join(COLUMNS) + " |",
              "|---|---|" + "---|" * len(COLUMNS)]
    for method, by_category in record["medians"].items():
        for category, values in by_category.items():
            lines.append(f"| {method} | {category} | "
                         + " | ".join(_fmt(values[k]) for k in COLUMNS) + " |")
    first = next(iter(record["medians"]))
    lines += ["", f"## Per source: {first}", "",
              "| source | " + " | ".join(COLUMNS[:5]) + " | real moving | ours moving |",
              "|---|" + "---|" * 7]
    for row in record["rows"]:
        sc = row["scores"][first]
        lines.append(f"| {row['category']}/{row['name']} | "
                     + " | ".join(_fmt(sc[k]) for k in COLUMNS[:5])
                     + f" | {_fmt(sc['real_moving_share'])} | {_fmt(sc['ours_moving_share'])} |")
    return "\n".join(lines) + "\n"


CARD = os.path.join(os.path.dirname(motion_model.BUNDLED_WEIGHTS), os.pardir, "MODEL_CARD.md")


def model_card(record, meta):
    """The bundled model's card: what it is, how it was made, what it scores (all from the
    weights' own record and this run; rewritten by every full test-split run of them)."""
    ours = record["medians"][next(iter(record["medians"]))]
    rows = [f"| {c} | " + " | ".join(_fmt(ours[c][k]) for k in COLUMNS[:5]) + " |"
            for c in BARS]
    return "\n".join([
        "# Model card: the bundled motion model (ours, not in the paper)", "",
        "Written by `python -m experiments.real_motion` from the weights' own record and "
        "its scores; never edited by hand.", "",
        "- What: MotionNet (cinegen_tf/motion/network.py), a 0.49M-weight U-Net that "
        "predicts from a photo, per pixel, whether it moves, its steady flow, its sway "
        "and its flicker; cinegen_tf/motion/render.py draws them at the photo's full "
        "resolution as a seamless loop. Not the paper's model (Image2GIF's RNN+DQN).",
        f"- Data: {meta.get('data')}. Research-use clips of unknown licence; no clip "
        "frame ships in the package, only the weights.",
        f"- Command: `{meta.get('command')}`",
        f"- Budget: {meta.get('steps')} steps of batch {meta.get('batch_size')} "
        f"(64x64 crops), learning rate {meta.get('learning_rate')}, seed "
        f"{meta.get('seed')}; targets {meta.get('prepare_minutes')} min"
        f"{' (reused from the cache)' if (meta.get('prepare_minutes') or 0) < 0.1 else ''}"
        f" + training "
        f"{meta.get('train_minutes')} min on {meta.get('cpu')}; code {meta.get('code_version')}.",
        f"- Final training losses: {meta.get('final_losses')}", "",
        f"## Measured (test split, {record['settings']['sources']} sources never seen in "
        "training; medians; experiments/results/real_motion.md has every row)", "",
        "| category | recall | still kept | motion ratio | direction | seam |",
        "|---|---|---|---|---|---|", *rows, "",
        "Recall: real-moving pixels that move in ours; still kept: real-still pixels that "
        "stay still; motion ratio: frame-to-frame change per second in the real moving "
        "region, ours / real; direction: cosine of the time-averaged optical flows; seam: "
        "the loop's closing step over an ordinary step. Known limits: the direction of a "
        "river's flow is a guess where the photo does not show it; flames flicker in "
        "place rather than rise; photos above 1920 px are animated at 1920 px.", ""])


def _main(argv):
    del argv
    start = time.time()
    sources = prepared.find(_MANUAL_DIR.value, _SPLIT.value) if os.path.isdir(
        _MANUAL_DIR.value) else None
    if not sources:
        raise cli.UserError(f"--manual_dir={_MANUAL_DIR.value}: no {_SPLIT.value}-split "
                            f"sources in water/ or fire/")
    if _LIMIT.value:
        picked = []
        for category in BARS:
            some = [s for s in sources if s.category == category]
            step = max(1, len(some) // _LIMIT.value)
            picked += some[::step][:_LIMIT.value]
        sources = picked
    animator = motion_model.load(_WEIGHTS.value)
    methods = _methods(animator)
    rows = []
    for source in sources:
        clip = lib.load_clip(source)
        scores = {}
        for name, method in methods.items():
            scores[name] = lib.score_loop(method(clip), clip)
        rows.append(dict(category=source.category, name=source.name, fps=clip.fps,
                         photo_size=list(clip.photo.shape[:2]), scores=scores))
        print(source.label, {k: round(v, 2) for k, v in scores[next(iter(methods))].items()
                             if k in COLUMNS[:5]}, flush=True)
    summary = medians(rows, methods)
    stem = "real_motion_ablation" if _ABLATION.value else "real_motion"
    stem += "" if _SPLIT.value == "test" else f"_{_SPLIT.value}"
    stem += f"_limit{_LIMIT.value}" if _LIMIT.value else ""
    hardware = precision.cpu_line()
    values = {f: flags.FLAGS[f].value for f in ("split", "checkpoints", "ablation", "weights",
                                                "limit") if flags.FLAGS[f].present}
    args = " ".join(f"--{f}={','.join(v) if isinstance(v, list) else v}"
                    for f, v in values.items())
    record = dict(
        title=("Ablation of the motion model's rendering (ours, not in the paper)"
               if _ABLATION.value else "Real photos come alive: how cinemagraphs move "
               "against the real clips"),
        settings=dict(command=f"python -m experiments.real_motion {args}".strip(),
                      split=_SPLIT.value, sources=len(rows),
                      weights=_WEIGHTS.value or "bundled (cinegen_tf/motion/weights)",
                      model_meta={k: animator.meta.get(k) for k in (
                          "steps", "batch_size", "seed", "train_minutes", "cpu", "code_version")},
                      hardware=hardware, minutes=(time.time() - start) / 60,
                      code_version=code_version()),
        medians=summary, rows=rows)
    first = next(iter(methods))
    if not _ABLATION.value:
        record["bars"] = check_bars(summary[first])
    os.makedirs(_RESULTS_DIR.value, exist_ok=True)
    write_atomically(os.path.join(_RESULTS_DIR.value, stem + ".json"),
                     json.dumps(record, indent=1, default=float) + "\n")
    write_atomically(os.path.join(_RESULTS_DIR.value, stem + ".md"), render_markdown(record))
    print(f"wrote {os.path.join(_RESULTS_DIR.value, stem)}.md ({record['settings']['minutes']:.1f} min)")
    if not (_ABLATION.value or _WEIGHTS.value or _LIMIT.value) and _SPLIT.value == "test":
        write_atomically(os.path.normpath(CARD), model_card(record, animator.meta))
        print(f"wrote {os.path.normpath(CARD)}")
    for key, bar in record.get("bars", {}).items():
        print(f"{key}: {_fmt(bar['value'])} {'ok' if bar['passed'] else 'BELOW BAR'}")


if __name__ == "__main__":
    cli.run(_main)
