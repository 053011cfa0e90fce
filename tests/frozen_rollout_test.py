"""The frozen inference rollout equals the generator's own call, and goes stale safely
(cinegen_tf/inference/frozen_rollout.py, cinegen_tf/cinemagraph.py)."""
import numpy as np
import pytest
import tensorflow as tf

from cinegen_tf import cinemagraph
from cinegen_tf.inference.frozen_rollout import FrozenRollout, weights_fingerprint
from cinegen_tf.models.generator import RecurrentGenerator

SIZE = 16


def _generator(num_actions, seed=0):
    tf.keras.utils.set_random_seed(seed)
    return RecurrentGenerator(z_dim=4, num_actions=num_actions, image_size=SIZE).build_all()


@pytest.mark.parametrize("num_actions", [0, 3])
@pytest.mark.parametrize("temperature", [0.0, 2.0])
def test_frozen_rollout_matches_the_generator(num_actions, temperature):
    if num_actions == 0 and temperature:
        pytest.skip("the plain RNN has no actions to sample")
    generator = _generator(num_actions)
    images = tf.random.stateless_uniform((2, SIZE, SIZE, 3), (1, 2), -1.0, 1.0)
    seed = tf.constant([0, 7], tf.int32) if temperature else None
    frozen = FrozenRollout(generator)
    frames, actions = tf.function(lambda x: frozen(x, 5, temperature, seed))(images)
    want = generator(images, num_frames=5, temperature=temperature, seed=seed)
    assert frames.shape == (2, 5, SIZE, SIZE, 3) and actions.shape == (2, 5)
    np.testing.assert_allclose(frames.numpy(), want["frames"].numpy(), atol=1e-5)
    if num_actions:
        np.testing.assert_array_equal(actions.numpy(), want["actions"].numpy())
    else:
        assert (actions.numpy() == -1).all()


def test_snapshot_is_frozen_and_the_cache_follows_weight_changes():
    generator = _generator(3, seed=4)
    photo = np.random.default_rng(0).integers(0, 256, (20, 24, 3), dtype=np.uint8)
    kwargs = dict(num_frames=4, full_resolution=False, loop="none", frozen=True)
    before = cinemagraph.generate_cinemagraph(generator, photo, **kwargs).frames
    unfrozen = cinemagraph.generate_cinemagraph(generator, photo, **{**kwargs, "frozen": False})
    # The same frames either way (float rounding may move a level by one).
    assert np.abs(unfrozen.frames.astype(np.int16) - before).max() <= 1
    options = cinemagraph.CinemagraphOptions(**kwargs)
    module = cinemagraph.cinemagraph_module(generator, options)
    assert cinemagraph.cinemagraph_module(generator, options) is module  # unchanged: reused
    old = weights_fingerprint(generator)
    bias = generator.decoder.to_rgb.bias
    bias.assign(bias + 0.5)  # as training or a restore would
    assert weights_fingerprint(generator) != old
    # The old module still runs its snapshot; the cache hands out a rebuilt one.
    stale = module.generate(photo, np.full((1, 1), 255, np.uint8), tf.zeros([2], tf.int32))
    np.testing.assert_array_equal(stale["model_frames"].numpy(), before)
    assert cinemagraph.cinemagraph_module(generator, options) is not module
    after = cinemagraph.generate_cinemagraph(generator, photo, **kwargs).frames
    assert not np.array_equal(after[1:], before[1:])
    np.testing.assert_array_equal(after[0], before[0])  # frame 0 is the photo itself
