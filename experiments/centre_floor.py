"""The lowest centre distance (Table 4) any deterministic generator can reach on our data.

    python -m experiments.centre_floor [--patterns=i,o,l,eight,rotate,scale]

Not in the paper. A generator sees frame 0 only, so for each frame t the best it can do
is to draw the object at the geometric median of the centres that clips starting like
this one reach at t. This command estimates that floor by nearest neighbours: for each of
`--num_test` clips, the `--neighbours` clips (of `--num_reference`) whose frame-0 object
is closest give the median (the same size first: sizes are whole pixels and frame 0
shows them exactly; then the nearest centre), and the floor is the mean distance to it
over the scored frames 1 .. length - 1 (as cinegen_tf/evaluation/centre_distance.py
averages them). Also printed: the floor if the length were known, and the per-step curve.

On dataset version 1.0.0, where a clip's length and the pattern's size were drawn
independently of frame 0, the eight's floor was 8.05 px; from 2.0.0 frame 0 determines
the path (cinegen_tf/data/trajectories.py) and every pattern's floor is 0.
"""
from absl import app
from absl import flags
import numpy as np
from scipy import spatial

from cinegen_tf.data import trajectories

_PATTERNS = flags.DEFINE_multi_enum("patterns", list(trajectories.PATTERNS),
                                    list(trajectories.PATTERNS), "Motion patterns.")
_NUM_REFERENCE = flags.DEFINE_integer("num_reference", 50_000, "Clips the posterior is "
                                      "estimated from.")
_NUM_TEST = flags.DEFINE_integer("num_test", 500, "Clips the floor is averaged over.")
_NEIGHBOURS = flags.DEFINE_integer("neighbours", 400, "Reference clips per test clip.")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the sampled clips.")


SIZE_WEIGHT = 1000.0


def sample_clips(pattern, num, rng):
    """(features (num, 4): frame-0 centre and size, centres (num, L, 2) NaN-padded,
    lengths (num,))."""
    padded = trajectories.PADDED_LENGTHS[pattern]
    features = np.empty((num, 4))
    centres = np.full((num, padded, 2), np.nan)
    lengths = np.empty(num, np.int64)
    for k in range(num):
        motion = trajectories.sample_motion(pattern, rng)
        # Sizes weigh 1000x a pixel of position: neighbours show the same size first.
        features[k] = np.concatenate([motion.centers[0], SIZE_WEIGHT * motion.sizes[0]])
        centres[k, :motion.length] = motion.centers
        lengths[k] = motion.length
    return features, centres, lengths


def geometric_median(points, iterations=50):
    """Weiszfeld's algorithm: points (N, 2) -> (2,)."""
    median = np.median(points, axis=0)
    for _ in range(iterations):
        weights = 1.0 / np.maximum(np.linalg.norm(points - median, axis=1), 1e-6)
        median = (points * weights[:, None]).sum(0) / weights.sum()
    return median


def centre_floor(pattern, num_reference, num_test, neighbours, seed):
    """Returns (floor px, floor with the length known px, per-step floor (L - 1,))."""
    rng = np.random.default_rng(seed)
    ref_features, ref_centres, ref_lengths = sample_clips(pattern, num_reference, rng)
    test_features, test_centres, test_lengths = sample_clips(pattern, num_test, rng)
    tree = spatial.cKDTree(ref_features)
    _, nearest = tree.query(test_features, k=neighbours)
    padded = trajectories.PADDED_LENGTHS[pattern]
    distances, known, per_step = [], [], [[] for _ in range(padded - 1)]
    for k in range(num_test):
        # Displacements from frame 0, so each neighbour's offset in position cancels.
        moves = ref_centres[nearest[k]] - ref_centres[nearest[k], :1]
        for t in range(1, int(test_lengths[k])):
            truth = test_centres[k, t] - test_centres[k, 0]
            alive = ~np.isnan(moves[:, t, 0])
            d = np.linalg.norm(truth - geometric_median(moves[alive, t]))
            distances.append(d)
            per_step[t - 1].append(d)
            same = ref_lengths[nearest[k]] == test_lengths[k]
            if same.any():
                known.append(np.linalg.norm(truth - geometric_median(moves[same, t])))
    return (float(np.mean(distances)), float(np.mean(known)),
            np.array([np.mean(v) if v else np.nan for v in per_step]))


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    print(f"{_NUM_TEST.value} test clips, {_NEIGHBOURS.value} of {_NUM_REFERENCE.value} "
          f"reference clips each, seed {_SEED.value}\n")
    print("| pattern | floor (px) | with the length known (px) | worst step (px) |")
    print("|---|---|---|---|")
    for pattern in _PATTERNS.value:
        floor, known, per_step = centre_floor(pattern, _NUM_REFERENCE.value, _NUM_TEST.value,
                                              _NEIGHBOURS.value, _SEED.value)
        print(f"| {pattern} | {floor:.2f} | {known:.2f} | {np.nanmax(per_step):.2f} |")


if __name__ == "__main__":
    app.run(main)
