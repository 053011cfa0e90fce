"""The encoder of the recurrent generator (Sec. 3.1, 5.1) and the conv stack it shares.

Four 5x5 convolutions with stride 2 and 64-128-256-512 feature maps, each followed by a
ReLU, then a fully connected layer to the latent `z`. The same stack (with another head)
is the Q-network of Sec. 3.2 and the discriminator.

Initialisation (the paper does not give one): every layer followed by a ReLU starts from
He et al. 2015's `RELU_INIT`; the layers into tanh, into a Q-value or into a logit keep
Keras' Glorot default. With Glorot throughout, each ReLU layer halves the signal's
variance: an untrained paper-size RNN's frames varied by 9e-6 (std over 16 test inputs;
RNN+DQN 8e-5) from one input to the next, against 8e-3 with He, and training stayed close
to one blurred image for hundreds of steps (validation MSE of
experiments/configs/quickstart.py at steps 100 / 150: 0.095 / 0.059 with Glorot,
0.041 / 0.033 with He).
"""
import keras

FILTERS = (64, 128, 256, 512)
KERNEL_SIZE = 5
RELU_INIT = "he_uniform"


@keras.saving.register_keras_serializable(package="cinegen_tf")
class ConvStack(keras.layers.Layer):
    """Four strided 5x5 conv + ReLU layers, flattened.

    Input: float (B, H, W, C) with H, W divisible by 16. Output: float (B, H/16 * W/16 * 512).
    """

    def __init__(self, filters=FILTERS, kernel_size=KERNEL_SIZE, **kwargs):
        super().__init__(**kwargs)
        self.filters = tuple(int(f) for f in filters)
        self.kernel_size = int(kernel_size)
        self.convs = [
            keras.layers.Conv2D(f, self.kernel_size, strides=2, padding="same",
                                activation="relu", kernel_initializer=RELU_INIT,
                                name=f"conv{i}")
            for i, f in enumerate(self.filters)
        ]
        # tf.train.Checkpoint does not follow Keras' tracked lists: without an attribute
        # per layer the conv weights would silently be left out of every checkpoint.
        for conv in self.convs:
            setattr(self, conv.name, conv)
        self.flatten = keras.layers.Flatten()

    def call(self, images):
        x = images
        for conv in self.convs:
            x = conv(x)
        return self.flatten(x)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size}


@keras.saving.register_keras_serializable(package="cinegen_tf")
class Encoder(keras.Model):
    """Image -> latent z (Sec. 3.1): the conv stack, then a dense layer with tanh.

    The paper's Q-network is "the same as the encoding part except we do not apply the
    tanh activation on the output layer" (Sec. 5.1), so the encoder's output layer has tanh.

    Args:
      z_dim: size of z; 64 for synthetic data, 512 for real data (Sec. 5.1).

    Call: images float32 (B, 64, 64, 3) in [-1, 1] -> z (B, z_dim) in [-1, 1].
    """

    def __init__(self, z_dim, output_activation="tanh", **kwargs):
        super().__init__(**kwargs)
        if int(z_dim) <= 0:
            raise ValueError(f"z_dim must be positive, got {z_dim}")
        self.z_dim = int(z_dim)
        self.output_activation = output_activation
        self.conv_stack = ConvStack(name="conv_stack")
        self.head = keras.layers.Dense(self.z_dim, activation=output_activation, name="z")

    def call(self, images, training=False):
        return self.head(self.conv_stack(images))

    def get_config(self):
        return {**super().get_config(), "z_dim": self.z_dim,
                "output_activation": self.output_activation}
