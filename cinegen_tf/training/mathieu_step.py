"""One training step of the Mathieu et al. 2016 baseline (Sec. 5.2; models/mathieu.py).

Teacher forcing, as the original: the generator learns to predict ground-truth frame t + 1
from ground-truth frame t (never from its own outputs, which it only sees at test time,
`MathieuGenerator.rollout`). Each step draws `pairs_per_clip` random valid t in
[0, length - 2] per clip (0: every valid pair of every clip), optionally crops one random
`patch_size` patch per pair (the original trained on 32x32 patches; 0 = whole frames),
then, in the original's order:

1. discriminator: one update on the multi-scale BCE of real frames t + 1 (their area
   pyramid) against the generator's current predictions (no gradient into G);
2. generator: one update on lambda_lp L2 + lambda_gdl GDL + lambda_adv BCE(D(G) -> real),
   with the freshly updated D.

Optimizers (`make_mathieu_optimizers`): the original's Adam(4e-5) for G and plain SGD
(0.02) for D; the Image2GIF paper says it used the defaults. Note the original's losses
were sums over the batch (with a log10 BCE), ours batch means (cinegen_tf/losses.py): Adam
does not care, but SGD on D takes ~B / ln 10 times smaller steps than the original's at
the same rate (~3.5x at its batch 8); raise `discriminator_learning_rate` to match.

The returned step is NOT wrapped in tf.function: the caller compiles it (the training
loop traces several steps per tf.function call). Models and optimizers are built eagerly
here, before any trace.
"""
import keras
import ml_collections
import tensorflow as tf

from cinegen_tf import losses
from cinegen_tf.models.mathieu import image_pyramid


def default_config():
    """The baseline's settings: the training config should hold them as `config.mathieu`."""
    config = ml_collections.ConfigDict()
    config.lambda_lp = 1.0
    config.lambda_gdl = 1.0
    config.lambda_adv = 0.05
    config.lp_norm = 2
    config.gdl_alpha = 1
    config.probability_clip = 0.1  # D's sigmoid clipped to [0.1, 0.9]; 0 = no clip
    config.generator_learning_rate = 4e-5
    config.discriminator_learning_rate = 0.02
    config.pairs_per_clip = 1  # training pairs drawn per clip and step; 0 = all valid pairs
    config.patch_size = 0  # 0 = whole frames; the original trained on 32x32 patches
    config.seed = 0  # for the pair/patch draws when the step is given no seed
    return config


def _check(config, key, condition, requirement):
    value = config[key]
    if not condition(value):
        raise ValueError(f"mathieu config.{key} = {value!r}: must be {requirement}")
    return value


def validate_config(config):
    """Raises ValueError naming the first missing or invalid key; returns config."""
    missing = sorted(set(default_config().keys()) - set(config.keys()))
    if missing:
        raise ValueError(f"mathieu config lacks keys {missing} (see default_config())")
    for key in ("lambda_lp", "lambda_gdl", "lambda_adv"):
        _check(config, key, lambda v: v >= 0, ">= 0")
    for key in ("lp_norm", "gdl_alpha", "generator_learning_rate", "discriminator_learning_rate"):
        _check(config, key, lambda v: v > 0, "> 0")
    _check(config, "probability_clip", lambda v: 0 <= v < 0.5, "in [0, 0.5)")
    _check(config, "pairs_per_clip", lambda v: int(v) == v and v >= 0, "an int >= 0")
    _check(config, "patch_size", lambda v: int(v) == v and v >= 0 and v % 8 == 0,
           "0 or a positive multiple of 8")
    return config


def make_mathieu_optimizers(config):
    """(generator Adam, discriminator SGD) at the original's rates (TF1 Adam epsilon)."""
    validate_config(config)
    return (keras.optimizers.Adam(float(config.generator_learning_rate), epsilon=1e-8),
            keras.optimizers.SGD(float(config.discriminator_learning_rate)))


def training_pairs(video, length, pairs_per_clip, seed):
    """Ground-truth (frame t, frame t + 1) pairs with t + 1 < length.

    Args:
      video: float32 (B, T, H, W, 3); length: int (B,) in [2, T].
      pairs_per_clip: k >= 1 draws t uniformly per clip (with replacement); 0 takes all.
      seed: int (2,) stateless seed.

    Returns:
      inputs, targets: float32 (N, H, W, 3), N = B * k (or the number of valid pairs).
    """
    length = tf.cast(tf.reshape(length, [-1]), tf.int32)
    tf.debugging.assert_greater_equal(length, 2, message="every clip needs length >= 2")
    tf.debugging.assert_less_equal(length, tf.shape(video)[1], message="length exceeds T")
    if pairs_per_clip == 0:
        steps = tf.range(1, tf.shape(video)[1])
        valid = steps[None, :] < length[:, None]
        return tf.boolean_mask(video[:, :-1], valid), tf.boolean_mask(video[:, 1:], valid)
    shape = (tf.shape(video)[0], pairs_per_clip)
    u = tf.random.stateless_uniform(shape, seed)
    t = tf.minimum(tf.cast(tf.floor(u * tf.cast(length - 1, tf.float32)[:, None]), tf.int32),
                   length[:, None] - 2)
    inputs = tf.gather(video, t, axis=1, batch_dims=1)
    targets = tf.gather(video, t + 1, axis=1, batch_dims=1)
    frame_shape = tf.shape(video)[2:]
    return (tf.reshape(inputs, tf.concat([[-1], frame_shape], 0)),
            tf.reshape(targets, tf.concat([[-1], frame_shape], 0)))


def random_patches(inputs, targets, patch_size, seed):
    """Crops one random patch per pair, the same place in input and target: (N, p, p, 3)."""
    n, height, width = tf.shape(inputs)[0], tf.shape(inputs)[1], tf.shape(inputs)[2]
    seeds = tf.random.experimental.stateless_split(seed, 2)
    top = tf.random.stateless_uniform((n,), seeds[0], 0, height - patch_size + 1, tf.int32)
    left = tf.random.stateless_uniform((n,), seeds[1], 0, width - patch_size + 1, tf.int32)
    rows = top[:, None] + tf.range(patch_size)[None, :]
    cols = left[:, None] + tf.range(patch_size)[None, :]

    def crop(images):
        return tf.gather(tf.gather(images, rows, axis=1, batch_dims=1), cols, axis=2, batch_dims=1)

    return crop(inputs), crop(targets)


def make_mathieu_train_step(generator, discriminator, g_opt, d_opt, config):
    """Builds the baseline's step function (the caller wraps it in tf.function).

    Args:
      generator: a MathieuGenerator; discriminator: a MathieuDiscriminator whose
        image_size is the training frame size (patch_size, or the whole frame if 0).
      g_opt, d_opt: keras optimizers (see make_mathieu_optimizers); built here if needed.
      config: the baseline's ConfigDict (default_config() keys).

    Returns:
      step(batch, step=None, seed=None) -> dict of float32 scalars "g_loss", "lp_loss",
      "gdl_loss", "g_adv_loss", "d_loss", "psnr" (finest scale, peak-to-peak 2 on
      [-1, 1] frames: the correct PSNR, not the original's 6 dB low one). batch["video"]
      is float32 (B, T, S, S, 3) in [-1, 1] (frame 0 = input x), batch["length"] int (B,)
      in [2, T]; `step` is accepted for the training loop's interface and unused; seed is
      an int (2,) stateless seed for the pair and patch draws (None: an internal generator
      seeded with config.seed).
    """
    validate_config(config)
    size = int(config.patch_size) or discriminator.image_size
    if discriminator.image_size != size:
        raise ValueError(f"discriminator.image_size = {discriminator.image_size} must equal "
                         f"mathieu config.patch_size = {config.patch_size}")
    dummy = tf.zeros((1, size, size, 3))
    generator(dummy)
    discriminator(image_pyramid(dummy))
    for opt, model in ((g_opt, generator), (d_opt, discriminator)):
        if not opt.built:
            opt.build(model.trainable_variables)
    pairs_per_clip, patch_size = int(config.pairs_per_clip), int(config.patch_size)
    weights = dict(lambda_lp=float(config.lambda_lp), lambda_gdl=float(config.lambda_gdl),
                   lambda_adv=float(config.lambda_adv), p=float(config.lp_norm),
                   alpha=float(config.gdl_alpha),
                   probability_clip=float(config.probability_clip))
    clip = weights["probability_clip"]
    rng = tf.random.Generator.from_seed(int(config.seed))

    def train_step(batch, step=None, seed=None):
        del step  # the schedule is constant
        video = tf.convert_to_tensor(batch["video"], tf.float32)
        if video.shape[2] != video.shape[3] or (not patch_size and video.shape[2] != size):
            raise ValueError(f"frames {tuple(video.shape[2:4])} do not fit a discriminator "
                             f"built for {size}x{size} (set patch_size or image_size)")
        if patch_size and video.shape[2] is not None and video.shape[2] < patch_size:
            raise ValueError(f"patch_size {patch_size} exceeds the {video.shape[2]}-pixel frames")
        if seed is None:
            seed = rng.make_seeds(1)[:, 0]
        pair_seed, patch_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        inputs, targets = training_pairs(video, batch["length"], pairs_per_clip, pair_seed)
        if patch_size:
            inputs, targets = random_patches(inputs, targets, patch_size, patch_seed)
        target_scales = image_pyramid(targets)

        fake_scales = [tf.stop_gradient(x) for x in generator(inputs, training=True)]
        with tf.GradientTape() as tape:
            d_loss = losses.mathieu_discriminator_loss(
                discriminator(target_scales, training=True),
                discriminator(fake_scales, training=True), clip)
        d_vars = discriminator.trainable_variables
        d_opt.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))

        with tf.GradientTape() as tape:
            generated = generator(inputs, training=True)
            fake_logits = discriminator(generated, training=True) if weights["lambda_adv"] else None
            g = losses.mathieu_generator_loss(generated, target_scales, fake_logits, **weights)
        g_vars = generator.trainable_variables
        g_opt.apply_gradients(zip(tape.gradient(g["loss"], g_vars), g_vars))
        psnr = tf.reduce_mean(tf.image.psnr(generated[-1], targets, max_val=2.0))
        return {"g_loss": g["loss"], "lp_loss": g["lp"], "gdl_loss": g["gdl"],
                "g_adv_loss": g["adv"], "d_loss": d_loss, "psnr": psnr}

    return train_step
