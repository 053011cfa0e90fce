"""The Mathieu et al. 2016 multi-scale video-prediction baseline (Sec. 5.2, Tables 1, 2).

"Deep multi-scale video prediction beyond mean square error" (ICLR 2016), with the
defaults of its public TF implementation (DESIGN.md "Mathieu et al. defaults"), fed one
input frame where the original used four (Image2GIF gives the model a single still).

Generator: 4 scales, each twice the size of the previous (8, 16, 32, 64 for 64x64
frames). Scale k sees the input downscaled to its size, plus (k > 0) the prediction of
scale k - 1 upsampled to its size, and runs 'same' convolutions with ReLU, the last one to
3 maps with tanh. Like that implementation (and unlike the paper's residual form), each
scale predicts the frame itself, not a correction of the upsampled one.

Discriminator: one network per scale judging a single frame at that scale: 'valid'
convolutions with ReLU, a 2x2 max-pool, fully connected ReLU layers, and a logit (the
original applied a sigmoid and clipped it to [0.1, 0.9]; the losses do that, see
cinegen_tf/losses.py). Its dense layers depend on the frame size it is built for.

Resizing: downscaling by area averaging (an exact 2^k box filter; the same function
builds the ground-truth pyramid, `image_pyramid`), upscaling by bilinear interpolation.
"""
import keras
import tensorflow as tf

GENERATOR_FEATURE_MAPS = ((128, 256, 128), (128, 256, 128), (128, 256, 512, 256, 128),
                          (128, 256, 512, 256, 128))
GENERATOR_KERNEL_SIZES = ((3, 3, 3, 3), (5, 3, 3, 5), (5, 3, 3, 3, 3, 5), (7, 5, 5, 5, 5, 7))
DISCRIMINATOR_FEATURE_MAPS = ((64,), (64, 128, 128), (128, 256, 256), (128, 256, 512, 128))
DISCRIMINATOR_KERNEL_SIZES = ((3,), (3, 3, 3), (5, 5, 5), (7, 7, 5, 5))
DISCRIMINATOR_DENSE_UNITS = ((512, 256), (1024, 512), (1024, 512), (1024, 512))
NUM_SCALES = 4


def scale_sizes(image_size, num_scales=NUM_SCALES):
    """Frame sizes of the scales, coarse to fine: 64 -> (8, 16, 32, 64)."""
    if image_size is None:
        raise ValueError("frame height and width must be static (known when tracing)")
    image_size, factor = int(image_size), 2 ** (num_scales - 1)
    if image_size <= 0 or image_size % factor:
        raise ValueError(f"image_size must be a positive multiple of {factor} for "
                         f"{num_scales} scales, got {image_size}")
    return tuple(image_size // 2 ** (num_scales - 1 - k) for k in range(num_scales))


def image_pyramid(images, num_scales=NUM_SCALES):
    """Area-downscaled copies of `images` (B, H, W, C), coarse to fine, the last = images.

    H and W must be static multiples of 2^(num_scales - 1).
    """
    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape.rank != 4:
        raise ValueError(f"images must be (B, H, W, C), got shape {images.shape}")
    heights = scale_sizes(images.shape[1], num_scales)
    widths = scale_sizes(images.shape[2], num_scales)
    pyramid = [tf.image.resize(images, size, method="area")
               for size in zip(heights[:-1], widths[:-1])]
    return pyramid + [images]


def _nested(values, name):
    """Validates and freezes a per-scale tuple of tuples of positive ints."""
    out = tuple(tuple(int(v) for v in scale) for scale in values)
    if len(out) != NUM_SCALES or any(not scale or min(scale) <= 0 for scale in out):
        raise ValueError(f"{name} must hold {NUM_SCALES} non-empty tuples of positive ints, "
                         f"got {values!r}")
    return out


def _expose_for_checkpoints(model):
    """Sets each layer of model.scales as an attribute named after it.

    tf.train.Checkpoint follows attributes, not the lists Keras 3 keeps sub-layers in:
    without this the weights would silently be left out of every checkpoint.
    """
    for layers in model.scales:
        for layer in layers:
            setattr(model, layer.name, layer)


@keras.saving.register_keras_serializable(package="cinegen_tf")
class MathieuGenerator(keras.Model):
    """Multi-scale frame predictor: frame t -> frame t + 1 at 4 scales.

    Args:
      feature_maps: per scale, the hidden conv widths (the output conv to 3 maps is added).
      kernel_sizes: per scale, one kernel size per conv (len(feature_maps[k]) + 1).

    Call: images float32 (B, H, W, 3) in [-1, 1], H and W multiples of 8 (it is fully
    convolutional) -> list of 4 float32 predictions (B, H/8, W/8, 3) .. (B, H, W, 3) in
    [-1, 1], coarse to fine.
    """

    def __init__(self, feature_maps=GENERATOR_FEATURE_MAPS, kernel_sizes=GENERATOR_KERNEL_SIZES,
                 **kwargs):
        super().__init__(**kwargs)
        self.feature_maps = _nested(feature_maps, "feature_maps")
        self.kernel_sizes = _nested(kernel_sizes, "kernel_sizes")
        for k, (maps, kernels) in enumerate(zip(self.feature_maps, self.kernel_sizes)):
            if len(kernels) != len(maps) + 1:
                raise ValueError(f"scale {k}: {len(maps)} hidden convs need {len(maps) + 1} "
                                 f"kernel sizes, got {kernels}")
        self.scales = []
        for k, (maps, kernels) in enumerate(zip(self.feature_maps, self.kernel_sizes)):
            layers = [keras.layers.Conv2D(f, size, padding="same", activation="relu",
                                          name=f"scale{k}_conv{i}")
                      for i, (f, size) in enumerate(zip(maps, kernels))]
            layers.append(keras.layers.Conv2D(3, kernels[-1], padding="same", activation="tanh",
                                              name=f"scale{k}_out"))
            self.scales.append(layers)
        _expose_for_checkpoints(self)

    def call(self, images, training=False):
        # Keras hands the input over in the compute dtype (bfloat16 under mixed precision);
        # the pyramid and the resized predictions stay float32, the convs cast for themselves.
        images = tf.cast(images, tf.float32)
        predictions = []
        for k, scaled_input in enumerate(image_pyramid(images, NUM_SCALES)):
            x = scaled_input
            if k > 0:
                size = scaled_input.shape[1:3]
                x = tf.concat([x, tf.image.resize(predictions[-1], size, method="bilinear")], -1)
            for layer in self.scales[k]:
                x = layer(x)
            predictions.append(x)
        return predictions

    def rollout(self, images, num_frames):
        """Generates `num_frames` frames after `images`, feeding each output back (stateless).

        Args:
          images: float32 (B, H, W, 3) in [-1, 1], the still input x.
          num_frames: Python int >= 1.

        Returns:
          float32 (B, num_frames, H, W, 3) in [-1, 1]; the input is not repeated in front.
        """
        num_frames = int(num_frames)
        if num_frames < 1:
            raise ValueError(f"num_frames must be >= 1, got {num_frames}")
        frame = tf.cast(images, tf.float32)
        if frame.shape.rank != 4 or frame.shape[-1] != 3:
            raise ValueError(f"images must be (B, H, W, 3), got shape {frame.shape}")
        frames = []
        for _ in range(num_frames):
            frame = tf.cast(self(frame, training=False)[-1], tf.float32)
            frames.append(frame)
        return tf.stack(frames, axis=1)

    def get_config(self):
        return {**super().get_config(), "feature_maps": self.feature_maps,
                "kernel_sizes": self.kernel_sizes}


@keras.saving.register_keras_serializable(package="cinegen_tf")
class MathieuDiscriminator(keras.Model):
    """One real/fake classifier per scale, for frames of a fixed size.

    Args:
      image_size: the finest frame size S it judges (the training frame or patch size).
      feature_maps, kernel_sizes: per scale, the 'valid' conv widths and kernel sizes.
      dense_units: per scale, the hidden fully connected widths (a 1-unit logit follows).

    Call: list of 4 float32 frames (B, S/8, S/8, 3) .. (B, S, S, 3) in [-1, 1], coarse to
    fine (as the generator outputs, or `image_pyramid` of real frames) -> list of 4
    float32 logits (B, 1); sigmoid(logit) = probability that the frame is real.
    """

    def __init__(self, image_size=64, feature_maps=DISCRIMINATOR_FEATURE_MAPS,
                 kernel_sizes=DISCRIMINATOR_KERNEL_SIZES, dense_units=DISCRIMINATOR_DENSE_UNITS,
                 **kwargs):
        super().__init__(**kwargs)
        self.image_size = int(image_size)
        self.feature_maps = _nested(feature_maps, "feature_maps")
        self.kernel_sizes = _nested(kernel_sizes, "kernel_sizes")
        self.dense_units = _nested(dense_units, "dense_units")
        self.scales = []
        for k, size in enumerate(scale_sizes(self.image_size)):
            maps, kernels = self.feature_maps[k], self.kernel_sizes[k]
            if len(maps) != len(kernels):
                raise ValueError(f"scale {k}: {len(maps)} convs need as many kernel sizes, "
                                 f"got {kernels}")
            out = size - sum(kernel - 1 for kernel in kernels)
            if out < 2:
                raise ValueError(f"image_size {self.image_size} too small: scale {k} "
                                 f"({size}x{size}) shrinks to {out}x{out} before the 2x2 pool")
            layers = [keras.layers.Conv2D(f, kernel, padding="valid", activation="relu",
                                          name=f"scale{k}_conv{i}")
                      for i, (f, kernel) in enumerate(zip(maps, kernels))]
            layers += [keras.layers.MaxPooling2D(2, name=f"scale{k}_pool"),
                       keras.layers.Flatten(name=f"scale{k}_flatten")]
            layers += [keras.layers.Dense(units, activation="relu", name=f"scale{k}_fc{i}")
                       for i, units in enumerate(self.dense_units[k])]
            layers.append(keras.layers.Dense(1, name=f"scale{k}_logit"))
            self.scales.append(layers)
        _expose_for_checkpoints(self)

    def call(self, frames, training=False):
        frames = list(frames)
        sizes = scale_sizes(self.image_size)
        if len(frames) != NUM_SCALES:
            raise ValueError(f"expected {NUM_SCALES} frames (one per scale), got {len(frames)}")
        logits = []
        for k, x in enumerate(frames):
            if tuple(x.shape[1:]) != (sizes[k], sizes[k], 3):
                raise ValueError(f"scale {k} frames must be (B, {sizes[k]}, {sizes[k]}, 3) for "
                                 f"image_size {self.image_size}, got {tuple(x.shape)}")
            x = tf.cast(x, tf.float32)
            for layer in self.scales[k]:
                x = layer(x)
            logits.append(x)
        return logits

    def get_config(self):
        return {**super().get_config(), "image_size": self.image_size,
                "feature_maps": self.feature_maps, "kernel_sizes": self.kernel_sizes,
                "dense_units": self.dense_units}
