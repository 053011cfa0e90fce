"""Cinemagraphs from a trained generator of this package (the paper's RNN / RNN+DQN,
the baselines, our layered generator); `cinegen_tf.cinemagraph` is the public facade.

    from cinegen_tf.inference.trained_generator import generate_cinemagraph
    from cinegen_tf.training.checkpoints import load_generator

    generator, config = load_generator("runs/water")
    result = generate_cinemagraph(generator, "photo.jpg")   # result.frames uint8 (L, H, W, 3)

The generator runs at its own 64x64 (Sec. 3, 5.1); with `full_resolution=True` its
predicted change is carried back onto the photo only where it predicts motion, so the
static background is the photo, pixel for pixel (see cinegen_tf/inference/compositing).
The motion is how the generated frames change over time, not how they differ from the
photo: frame 0 is the photo, and where the model's frames stay the same nothing moves.
`full_resolution=False` gives the model's plain 64x64 frames. RNN+DQN generators pick
their actions greedily (the paper's argmax); `temperature > 0` samples them from
softmax(Q / temperature) with `seed`, giving different cinemagraphs of one photo.
"""
import collections
import dataclasses
import secrets

import numpy as np
import tensorflow as tf

from cinegen_tf.inference import image_io
from cinegen_tf.inference.frozen_rollout import weights_fingerprint
from cinegen_tf.inference.pipeline import CinemagraphModule, CinemagraphOptions

# (generator, options) -> CinemagraphModule, so a graph is traced once and reused (and
# rebuilt when the generator's weights change). Small and bounded: a module holds its
# generator alive.
_MODULES = collections.OrderedDict()
_MAX_MODULES = 8
_NO_MASK = np.full((1, 1), 255, np.uint8)


@dataclasses.dataclass
class Cinemagraph:
    """A generated cinemagraph.

    Attributes:
      frames: uint8 (L, H, W, 3), the loop (full resolution, or the model's S x S).
      model_frames: uint8 (L, S, S, 3), the model's own frames, looped the same way.
      motion_mask: uint8 (H, W); 0 where every frame equals the photo exactly.
      actions: int32 (N,), the DQN's action per generated frame (-1 without a DQN).
      seed: the seed the actions were sampled with (None when greedy).
    """
    frames: np.ndarray
    model_frames: np.ndarray
    motion_mask: np.ndarray
    actions: np.ndarray
    seed: int | None


def cinemagraph_module(generator, options, image_size=None):
    """The (cached) CinemagraphModule of `generator` with `options`."""
    key = (id(generator), options, image_size)
    module = _MODULES.get(key)
    # A frozen module snapshotted the weights: rebuild it after they change.
    if (module is None or module.generator is not generator
            or (module.weights_fingerprint is not None
                and module.weights_fingerprint != weights_fingerprint(generator))):
        module = CinemagraphModule(generator, options, image_size=image_size)
    _MODULES[key] = module
    _MODULES.move_to_end(key)
    while len(_MODULES) > _MAX_MODULES:
        _MODULES.popitem(last=False)
    return module


def _seed_tensor(seed, temperature):
    if temperature <= 0:
        return None, tf.zeros([2], tf.int32)
    if seed is None:
        seed = secrets.randbelow(2**31)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be an int in [0, 2**31), got {seed!r}")
    return int(seed), tf.constant([0, int(seed)], tf.int32)


def generate_cinemagraph(generator, image, num_frames=21, loop="crossfade", mask=None,
                         full_resolution=True, temperature=0.0, seed=None, *,
                         crossfade_frames=None, motion_threshold=0.1, mask_dilation=1,
                         frozen=False, image_size=None):
    """Makes a cinemagraph and everything known about it.

    Args:
      generator: a trained RecurrentGenerator (or a baseline with `rollout`), e.g. from
        `cinegen_tf.training.checkpoints.load_generator`.
      image: a path to a photo, or an array uint8/uint16 (H, W[, 1|3|4]).
      num_frames: N >= 2 frames before looping: the photo, then the photo moved by the
        change of the generated frames f_2 .. f_N from f_1.
      loop: "crossfade" (default), "pingpong" or "none" (cinegen_tf/inference/looping).
      mask: None (the model's own motion region), a path, or an array (h, w) of any size:
        bool, uint8 (255 = may move) or float in [0, 1].
      full_resolution: frames at the photo's size (True) or the model's S x S (False).
      temperature: 0 = greedy DQN actions; > 0 samples softmax(Q / temperature).
      seed: int in [0, 2**31) for sampled actions; None = a random one (reported back).
      crossfade_frames, motion_threshold, mask_dilation, frozen: see `CinemagraphOptions`
        (frozen=True: faster per photo, slower first call; for many photos).
      image_size: the model's S for generators without `.image_size`.

    Returns:
      a `Cinemagraph`.

    Raises:
      InputError (a ValueError) for an unreadable photo or mask; ValueError for bad
      options.
    """
    options = CinemagraphOptions(
        num_frames=int(num_frames), loop=loop, crossfade_frames=crossfade_frames,
        full_resolution=bool(full_resolution), temperature=float(temperature),
        motion_threshold=float(motion_threshold), mask_dilation=int(mask_dilation),
        frozen=bool(frozen))
    module = cinemagraph_module(generator, options, image_size)
    photo = image_io.read_photo(image)
    user_mask = image_io.read_mask(mask)
    if user_mask is None:
        user_mask = _NO_MASK
    used_seed, seed_tensor = _seed_tensor(seed, options.temperature)
    out = module.generate(photo, user_mask, seed_tensor)
    return Cinemagraph(frames=out["frames"].numpy(), model_frames=out["model_frames"].numpy(),
                       motion_mask=out["motion_mask"].numpy(), actions=out["actions"].numpy(),
                       seed=used_seed)
