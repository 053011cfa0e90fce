"""The decoder of the recurrent generator (Sec. 3.1, 5.1), shared over time steps.

A dense layer lifts the per-step latent to a 4x4x512 map; four 5x5 transposed
convolutions with stride 2 then go 512 -> 256 -> 128 -> 64 -> 3 maps (4 -> 64 pixels),
ReLU after each layer and tanh at the end. Layers followed by a ReLU start from He
initialisation (see encoder.RELU_INIT), the tanh layer from Glorot.
"""
import keras

from cinegen_tf.models.encoder import RELU_INIT

FILTERS = (256, 128, 64)
BASE_FILTERS = 512
KERNEL_SIZE = 5


@keras.saving.register_keras_serializable(package="cinegen_tf")
class Decoder(keras.Model):
    """Latent -> frame.

    Args:
      image_size: output height and width; a multiple of 16 (64 in the paper).
      channels: output channels (3).

    Call: latents float (B, D) -> frames float32 (B, image_size, image_size, channels) in
    [-1, 1]. The last layer computes in float32 so mixed precision keeps a float32 output.
    """

    def __init__(self, image_size=64, channels=3, **kwargs):
        super().__init__(**kwargs)
        if int(image_size) <= 0 or int(image_size) % 16:
            raise ValueError(f"image_size must be a positive multiple of 16, got {image_size}")
        self.image_size = int(image_size)
        self.channels = int(channels)
        base = self.image_size // 16
        self.project = keras.layers.Dense(base * base * BASE_FILTERS, activation="relu",
                                          kernel_initializer=RELU_INIT, name="project")
        self.reshape = keras.layers.Reshape((base, base, BASE_FILTERS))
        self.deconvs = [
            keras.layers.Conv2DTranspose(f, KERNEL_SIZE, strides=2, padding="same",
                                         activation="relu", kernel_initializer=RELU_INIT,
                                         name=f"deconv{i}")
            for i, f in enumerate(FILTERS)
        ]
        # tf.train.Checkpoint does not follow Keras' tracked lists: without an attribute
        # per layer the deconv weights would silently be left out of every checkpoint.
        for deconv in self.deconvs:
            setattr(self, deconv.name, deconv)
        self.to_rgb = keras.layers.Conv2DTranspose(
            self.channels, KERNEL_SIZE, strides=2, padding="same", activation="tanh",
            dtype="float32", name="to_rgb")

    def call(self, latents, training=False):
        x = self.reshape(self.project(latents))
        for deconv in self.deconvs:
            x = deconv(x)
        return self.to_rgb(x)

    def get_config(self):
        return {**super().get_config(), "image_size": self.image_size, "channels": self.channels}
