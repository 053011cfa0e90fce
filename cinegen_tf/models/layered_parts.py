"""Building blocks of our layered generator (not in the paper): encoder with skips,
the U-Net decoder of the moving layer, a convolutional LSTM cell, and a small conv net
that serves as its Q-network and discriminator.

Every layer followed by a ReLU starts from He initialisation (models/encoder.py says why).
"""
import keras
import tensorflow as tf

from cinegen_tf.models.encoder import RELU_INIT


def _conv(filters, strides=1, name=None, activation="relu", kernel_size=3, **kwargs):
    init = RELU_INIT if activation == "relu" else "glorot_uniform"
    return keras.layers.Conv2D(filters, kernel_size, strides=strides, padding="same",
                               activation=activation, kernel_initializer=init, name=name,
                               **kwargs)


def coordinate_channels(images):
    """CoordConv (Liu et al. 2018): images (B, S, S, C) -> (B, S, S, C + 2) with the pixel's
    y and x in [-1, 1] appended, so convolutions can tell where they are."""
    batch, size = tf.shape(images)[0], int(images.shape[1])
    ramp = tf.cast(tf.linspace(-1.0, 1.0, size), images.dtype)
    grid = tf.stack(tf.meshgrid(ramp, ramp, indexing="ij"), axis=-1)  # (S, S, 2)
    return tf.concat([images, tf.tile(grid[None], [batch, 1, 1, 1])], axis=-1)


@keras.saving.register_keras_serializable(package="cinegen_tf")
class SkipEncoder(keras.layers.Layer):
    """x (B, S, S, C) -> skips at S, S/2, S/4, S/8 with width * (1, 2, 3, 4) maps."""

    def __init__(self, width=32, **kwargs):
        super().__init__(**kwargs)
        self.width = int(width)
        self.conv0 = _conv(self.width, name="conv0")
        self.conv1 = _conv(2 * self.width, strides=2, name="conv1")
        self.conv2 = _conv(3 * self.width, strides=2, name="conv2")
        self.conv3 = _conv(4 * self.width, strides=2, name="conv3")

    def call(self, inputs):
        s0 = self.conv0(inputs)
        s1 = self.conv1(s0)
        s2 = self.conv2(s1)
        return [s0, s1, s2, self.conv3(s2)]

    def get_config(self):
        return {**super().get_config(), "width": self.width}


@keras.saving.register_keras_serializable(package="cinegen_tf")
class SkipDecoder(keras.layers.Layer):
    """Features at S/k plus skips -> (B, S, S, outputs), linear (no activation).

    Call: (features (B, S/k, S/k, F), skips [finest, ..., coarser]) where each step
    doubles the size and concatenates the skip of that size.
    """

    def __init__(self, width=32, outputs=4, num_ups=3, **kwargs):
        super().__init__(**kwargs)
        self.width, self.outputs, self.num_ups = int(width), int(outputs), int(num_ups)
        self.ups = [keras.layers.UpSampling2D(name=f"up{i}") for i in range(self.num_ups)]
        self.convs = [_conv(self.width * (self.num_ups - i), name=f"conv{i}")
                      for i in range(self.num_ups)]
        for layer in self.convs:
            setattr(self, layer.name, layer)
        self.out = _conv(self.outputs, activation=None, name="out", dtype="float32")

    def call(self, features, skips):
        x = features
        for up, conv, skip in zip(self.ups, self.convs, reversed(skips[:self.num_ups])):
            x = conv(tf.concat([up(x), tf.cast(skip, x.dtype)], axis=-1))
        return self.out(x)

    def get_config(self):
        return {**super().get_config(), "width": self.width, "outputs": self.outputs,
                "num_ups": self.num_ups}


@keras.saving.register_keras_serializable(package="cinegen_tf")
class ConvLSTMCell(keras.layers.Layer):
    """One step of a convolutional LSTM (Shi et al. 2015): the state keeps its map.

    Call: (inputs (B, H, W, C), [h, c] each (B, H, W, filters)) -> (h, [h, c]).
    """

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.gates = _conv(4 * self.filters, activation=None, name="gates")

    def call(self, inputs, state):
        h, c = state
        z = self.gates(tf.concat([inputs, tf.cast(h, inputs.dtype)], axis=-1))
        i, f, o, g = tf.split(tf.cast(z, tf.float32), 4, axis=-1)
        # Forget bias 1 (Jozefowicz et al. 2015), as Keras' LSTMCell does.
        # Keras casts float call arguments to the compute dtype: keep the cell in float32.
        c = tf.sigmoid(f + 1.0) * tf.cast(c, tf.float32) + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters}


@keras.saving.register_keras_serializable(package="cinegen_tf")
class SmallConvNet(keras.Model):
    """Frame -> `units` outputs: three 5x5 stride-2 conv + ReLU (32-64-64), then dense.

    Our Q-network (units = N actions) and discriminator (units = 1, a logit); the paper's
    are the 64-128-256-512 encoder stack, which costs ~10x more per frame here.

    Call: frames float32 (B, S, S, 3) in [-1, 1] -> float32 (B, units).
    """

    def __init__(self, units, filters=(32, 64, 64), **kwargs):
        super().__init__(**kwargs)
        self.units, self.filters = int(units), tuple(int(f) for f in filters)
        self.convs = [_conv(f, strides=2, kernel_size=5, name=f"conv{i}")
                      for i, f in enumerate(self.filters)]
        for layer in self.convs:
            setattr(self, layer.name, layer)
        self.flatten = keras.layers.Flatten()
        self.head = keras.layers.Dense(self.units, dtype="float32", name="head")

    def call(self, frames, training=False):
        x = frames
        for conv in self.convs:
            x = conv(x)
        return self.head(self.flatten(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units, "filters": self.filters}
