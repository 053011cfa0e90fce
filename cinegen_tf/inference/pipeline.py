"""One graph from a uint8 photo to uint8 cinemagraph frames.

`CinemagraphModule` wraps a trained generator and fixed `CinemagraphOptions` in a
tf.Module whose tf.functions take a photo of any size. The Python API
(cinegen_tf.cinemagraph) calls them and the SavedModel export (export_lib) saves them,
so both give the same frames.

    photo P (H, W, 3) --area resize--> x (S, S, 3)   [the whole photo, stretched]
    x --generator (Sec. 3.1 / 3.2)--> f_1 .. f_N
    f_1 .. f_N --loop schedule--> g_0 .. g_{L-1};  delta_i = g_i - g_0
    delta --motion_alpha--> alpha (S, S)
    P, alpha * delta, user mask --composite--> frames (L, H, W, 3); frames[0] = P

What moves, and by how much, comes from how the generated frames vary over time, never
from how well the model reconstructs the photo: a model whose frames are a blurred,
recoloured or shifted version of the photo (every model on a photo unlike its training
data) would otherwise "move" every pixel by its reconstruction error in every frame.
Output frame 0 is the photo exactly (delta_0 = 0), and a pixel whose generated frames
do not change over the loop (by more than `motion_threshold`, after the region's
dilation) is the photo's in every frame. The model's own frames (`model_frames`, and
the frames with full_resolution=False) are the unchanged [x, f_1 .. f_{N-1}], looped.

How the photo meets the model's square: the whole photo is resized to S x S, aspect
ratio not kept, and the predicted change is resized back by the inverse stretch, so
every region of the photo can move and its change lands where it was predicted. A
centre crop would freeze everything outside the central square (most of a landscape
photo); padding would spend the model's few pixels on bars it never saw in training
(a 16:9 photo would get 64x36 of them). The stretch the model sees (1.8x for 16:9) is
mild for the textures that move in cinemagraphs (water, fire, smoke); photos much wider
than ~2.5:1 are better cropped first.
"""
import dataclasses
from typing import Optional

import tensorflow as tf

from cinegen_tf.inference import compositing, looping, resampling
from cinegen_tf.inference.frozen_rollout import FrozenRollout
from cinegen_tf.models.generator import RecurrentGenerator

IMAGE_SPEC = tf.TensorSpec((None, None, 3), tf.uint8, name="image")
MASK_SPEC = tf.TensorSpec((None, None), tf.uint8, name="mask")
SEED_SPEC = tf.TensorSpec((2,), tf.int32, name="seed")


@dataclasses.dataclass(frozen=True)
class CinemagraphOptions:
    """What to generate, fixed per traced graph.

    Attributes:
      num_frames: N >= 2 frames before looping: the photo, then N - 1 frames that carry
        the change of the generated f_2 .. f_N from f_1 (the recurrence runs N steps and
        may run past its training length).
      loop: "crossfade" (default), "pingpong" or "none" (see `looping`).
      crossfade_frames: K for "crossfade"; None = N // 4.
      full_resolution: True: composite the predicted change onto the photo at its own
        size; False: the model's plain S x S frames (research use).
      temperature: 0 = greedy DQN actions (the paper's argmax); > 0 samples actions
        from softmax(Q / temperature), seeded. RNN+DQN generators only.
      motion_threshold: change of a generated frame from the loop's first one (in
        [-1, 1] units, 0.1 ~ 13 grey levels) above which a pixel moves.
      mask_dilation: 3x3 dilations of the motion region (model pixels).
      frozen: run the paper's RNN / RNN+DQN generator as `frozen_rollout.FrozenRollout`
        (its weights snapshotted into the graph; other generators run as they are):
        1.2-1.7x faster per cinemagraph, but the first call takes 0.8-2.8 s longer and
        the process up to ~1 GB more. Pays off from a few dozen photos per process
        (folders, serving); False for one photo.
    """
    num_frames: int = 21
    loop: str = "crossfade"
    crossfade_frames: Optional[int] = None
    full_resolution: bool = True
    temperature: float = 0.0
    motion_threshold: float = 0.1
    mask_dilation: int = 1
    frozen: bool = False

    def __post_init__(self):
        looping.loop_schedule(self.num_frames, self.loop, self.crossfade_frames)
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 <= self.motion_threshold < 2:
            raise ValueError(f"motion_threshold must be in [0, 2), got {self.motion_threshold}")
        if not 0 <= int(self.mask_dilation) <= 16:
            raise ValueError(f"mask_dilation must be in [0, 16], got {self.mask_dilation}")

    @property
    def output_frames(self):
        """L, the number of frames of the loop."""
        return looping.loop_length(self.num_frames, self.loop, self.crossfade_frames)


class _Untracked:
    """Holds the generator out of tf.Module's sight (see CinemagraphModule)."""

    def __init__(self, model):
        self.model = model


def _to_uint8(frames):
    """float32 in [-1, 1] -> uint8 in [0, 255]."""
    return tf.cast(tf.round(tf.clip_by_value((frames + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)


class CinemagraphModule(tf.Module):
    """A generator plus options, as tf.functions over photos of any size.

    Args:
      generator: a `RecurrentGenerator` (RNN or RNN+DQN, Sec. 3.1 / 3.2) or a model with
        `rollout(images, num_frames)` (the constant and Mathieu baselines).
      options: `CinemagraphOptions`.
      image_size: S, the model's square; None = `generator.image_size`.

    `generate(image, mask, seed)` and `serve(image)` return a dict:
      "frames": uint8 (L, H, W, 3) (full resolution) or (L, S, S, 3);
      "model_frames": uint8 (L, S, S, 3), the model's own looped frames;
      "motion_mask": uint8 (H, W), 0 where every frame equals the photo;
      "actions": int32 (N,), the DQN's action per generated frame (-1 without a DQN).
    `mask` is uint8 (h, w) of any size (255 = may move, 0 = frozen); `seed` int32 (2,)
    seeds the sampled actions (unused when greedy). `serve` = greedy-or-seed-(0, 0),
    no user mask.
    """

    def __init__(self, generator, options=CinemagraphOptions(), image_size=None):
        super().__init__(name="cinemagraph")
        # The Keras model itself is kept out of the SavedModel's object graph (Keras 3
        # would add a default serving function that calls it without num_frames); its
        # variables are tracked directly, so the graphs' captures resolve to them.
        self._generator = _Untracked(generator)
        self._options = options
        self._uses_dqn = bool(getattr(generator, "uses_dqn", False))
        self._recurrent = hasattr(generator, "uses_dqn")
        frozen = options.frozen and isinstance(generator, RecurrentGenerator)
        self._frozen = _Untracked(FrozenRollout(generator) if frozen else None)
        # A frozen graph holds the weights as constants; otherwise it captures these.
        self.model_variables = ([] if frozen else
                                [getattr(v, "_value", v) for v in generator.variables])
        if not self._recurrent and not hasattr(generator, "rollout"):
            raise TypeError(f"{type(generator).__name__} is not a cinemagraph generator "
                            f"(neither a RecurrentGenerator nor a model with rollout())")
        if options.temperature > 0 and not self._uses_dqn:
            raise ValueError(f"temperature={options.temperature} samples DQN actions, but "
                             f"this {type(generator).__name__} has no DQN (RNN+DQN only)")
        size = image_size or getattr(generator, "image_size", None)
        if not size:
            raise ValueError("image_size is needed for a generator without .image_size")
        self._size = int(size)
        self.generate = tf.function(self._generate,
                                    input_signature=[IMAGE_SPEC, MASK_SPEC, SEED_SPEC])
        self.serve = tf.function(self._serve, input_signature=[IMAGE_SPEC])

    @property
    def generator(self):
        return self._generator.model

    @property
    def weights_fingerprint(self):
        """`frozen_rollout.weights_fingerprint` of the weights this module runs (or None)."""
        frozen = self._frozen.model
        return None if frozen is None else frozen.fingerprint

    @property
    def options(self):
        return self._options

    @property
    def image_size(self):
        return self._size

    def _rollout(self, x, seed):
        """x float32 (1, S, S, 3) -> frames f_1 .. f_N (N, S, S, 3), actions int32 (N,)."""
        steps = self._options.num_frames
        if not self._recurrent:
            frames = self.generator.rollout(x, steps)
            return frames[0], tf.fill([steps], -1)
        temperature = float(self._options.temperature)
        seed = seed if temperature > 0 else None
        if self._frozen.model is not None:
            frames, actions = self._frozen.model(x, steps, temperature=temperature, seed=seed)
            return frames[0], actions[0]
        out = self.generator(x, num_frames=steps, temperature=temperature, seed=seed)
        actions = out["actions"][0] if "actions" in out else tf.fill([steps], -1)
        return out["frames"][0], actions

    def _generate(self, image, mask, seed):
        options = self._options
        shape = tf.shape(image)
        tf.debugging.assert_positive(shape[:2], message="image must be at least 1x1")
        tf.debugging.assert_positive(tf.shape(mask), message="mask must be at least 1x1")
        size = self._size
        levels = tf.round(resampling.resize(tf.cast(image, tf.float32), size, size))
        x = levels / 127.5 - 1.0  # the model's view of the photo, as uint8 training data
        generated, actions = self._rollout(x[None], seed)
        generated = tf.cast(generated, tf.float32)  # f_1 .. f_N, (N, S, S, 3)
        schedule = looping.loop_schedule(options.num_frames, options.loop,
                                         options.crossfade_frames)
        # The model's own frames: x, f_1 .. f_{N-1}.
        sequence = tf.concat([x[None], generated[:-1]], axis=0)
        model_frames = _to_uint8(looping.apply_loop(sequence, schedule))
        # The change to carry: how the looped generated frames differ from the first one.
        looped = looping.apply_loop(generated, schedule)  # (L, S, S, 3)
        deltas = looped - looped[:1]
        alpha = compositing.motion_alpha(deltas[1:], options.motion_threshold,
                                         options.mask_dilation)
        weight = resampling.resize(tf.cast(mask, tf.float32), shape[0], shape[1])
        weight = tf.cast(tf.round(tf.clip_by_value(weight, 0.0, 255.0)), tf.uint8)
        motion_mask = compositing.full_resolution_mask(alpha, weight)
        if options.full_resolution:
            frames = compositing.composite(image, deltas, alpha, weight)
        else:
            frames = model_frames
        return {"frames": frames, "model_frames": model_frames, "motion_mask": motion_mask,
                "actions": tf.cast(actions, tf.int32)}

    def _serve(self, image):
        return self._generate(image, tf.fill([1, 1], tf.constant(255, tf.uint8)),
                              tf.zeros([2], tf.int32))
