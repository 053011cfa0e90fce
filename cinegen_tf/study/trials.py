"""A participant's trials: which stimuli, in which order, at which on-screen position.

Two experiments (Sec. 5.7), in the paper's order:
  "preference": the methods' cinemagraphs of one still side by side; pick the one that
    looks best. `design["preference"]` "all" shows every method at once (the paper's
    three-way choice with RNN, RNN+DQN and Mathieu et al.), "pairwise" one trial per
    pair of methods.
  "realism": one clip at a time, a method's cinemagraph or the real clip; answer
    whether it looks like a real cinemagraph. Real clips are shown as often as each
    method's, so a participant cannot learn that "generated" is the likely answer.
Attention checks (`design["attention_checks"]` per experiment) use the real clip and an
obviously broken version of it (videos.broken_frames): in "preference" the real one
must be picked over the broken one, in "realism" the broken one must not be called real.

Order and positions are shuffled per participant with their own seed
(`participant_seed`), so they are reproducible from the database and independent
between participants.
"""
import hashlib
import itertools

import numpy as np

from cinegen_tf.study import stimuli

EXPERIMENTS = ("preference", "realism")
PREFERENCE_MODES = ("all", "pairwise")
REALISM_ANSWERS = ("real", "generated")
DEFAULT_DESIGN = {"preference": "all", "attention_checks": 2, "max_attention_failures": 0}


def design_of(manifest):
    """The manifest's design, with the defaults for any field it leaves out."""
    design = dict(DEFAULT_DESIGN, **manifest.get("design", {}))
    if design["preference"] not in PREFERENCE_MODES:
        raise ValueError(f"design.preference must be one of {PREFERENCE_MODES}, got "
                         f"{design['preference']!r}")
    return design


def participant_seed(study_seed, external_id):
    """A participant's seed: 63 bits of SHA-256(study seed, their id)."""
    digest = hashlib.sha256(f"{study_seed}/{external_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _shuffled(rng, items):
    return [items[i] for i in rng.permutation(len(items))]


def plan(manifest, seed):
    """Every trial of one participant.

    Args:
      manifest: the study's manifest (stimuli.load_manifest).
      seed: the participant's seed.

    Returns:
      a list of dicts {experiment, position, clip_id, category, kind ("main" /
      "attention"), options (stimulus keys in on-screen order)}, experiment by
      experiment, positions 0, 1, ... within each.
    """
    design = design_of(manifest)
    rng = np.random.default_rng(seed)
    keys = [m["key"] for m in manifest["methods"]]
    clips = manifest["clips"]
    num_checks = min(int(design["attention_checks"]), len(clips))
    trials = []
    for experiment in EXPERIMENTS:
        chosen = []
        for clip in clips:
            if experiment == "preference":
                groups = ([keys] if design["preference"] == "all"
                          else [list(p) for p in itertools.combinations(keys, 2)])
                chosen += [(clip, "main", _shuffled(rng, g)) for g in groups if len(g) > 1]
            else:
                chosen += [(clip, "main", [key]) for key in keys + [stimuli.REAL]]
        for i in rng.choice(len(clips), num_checks, replace=False):
            options = (_shuffled(rng, [stimuli.REAL, stimuli.BROKEN])
                       if experiment == "preference" else [stimuli.BROKEN])
            chosen.append((clips[int(i)], "attention", options))
        for position, (clip, kind, options) in enumerate(_shuffled(rng, chosen)):
            trials.append({"experiment": experiment, "position": position,
                           "clip_id": clip["id"], "category": clip["category"],
                           "kind": kind, "options": options})
    return trials


def answer_choices(experiment, options):
    """The answers a trial accepts: option slots "0".."n-1", or REALISM_ANSWERS."""
    if experiment == "preference":
        return tuple(str(i) for i in range(len(options)))
    return REALISM_ANSWERS


def stored_answer(experiment, options, answer):
    """What a vote stores: the chosen stimulus key (preference) or "real"/"generated".

    Raises:
      ValueError: `answer` is not one of `answer_choices`.
    """
    if answer not in answer_choices(experiment, options):
        raise ValueError(f"answer must be one of {', '.join(answer_choices(experiment, options))}")
    return options[int(answer)] if experiment == "preference" else answer


def attention_passed(experiment, options, answer):
    """Whether a stored attention-check answer is the right one."""
    if experiment == "preference":
        return answer == stimuli.REAL
    return answer != "real"
