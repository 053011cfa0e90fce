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
import tensorflow as tf

from cinegen_tf.inference import compositing, looping, resampling
from cinegen_tf.inference.frozen_rollout import FrozenRollout
from cinegen_tf.inference.options import CinemagraphOptions  # noqa: F401 (re-exported)
from cinegen_tf.models.generator import RecurrentGenerator

IMAGE_SPEC = tf.TensorSpec((None, None, 3), tf.uint8, name="image")
MASK_SPEC = tf.TensorSpec((None, None), tf.uint8, name="mask")
SEED_SPEC = tf.TensorSpec((2,), tf.int32, name="seed")


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
