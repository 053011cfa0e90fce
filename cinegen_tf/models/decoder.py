"""The decoder of the recurrent generator (Sec. 3.1, 5.1), shared over time steps.

A dense layer lifts the per-step latent to a 4x4x512 map; four 5x5 transposed
convolutions with stride 2 then go 512 -> 256 -> 128 -> 64 -> 3 maps (4 -> 64 pixels),
ReLU after each layer and tanh at the end.

`Decoder.call(..., subpixel=True)` computes the same frames with each transposed
convolution rewritten as a 3x3 stride-1 convolution to 4x the channels followed by
`depth_to_space` (`subpixel_kernel`). It does 1.44x the multiply-adds, but in a frozen
inference graph (weights as constants) oneDNN lays a forward convolution's constant
kernel out once, while it re-lays a transposed convolution's kernel at every call: a
batch-1, 20-frame RNN+DQN rollout took 70 ms this way against 101 ms (frozen, transposed)
and 135 ms (variables) on a 2-core CPU. Training keeps the transposed convolutions.
"""
import keras
import tensorflow as tf

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
                                          name="project")
        self.reshape = keras.layers.Reshape((base, base, BASE_FILTERS))
        self.deconvs = [
            keras.layers.Conv2DTranspose(f, KERNEL_SIZE, strides=2, padding="same",
                                         activation="relu", name=f"deconv{i}")
            for i, f in enumerate(FILTERS)
        ]
        # tf.train.Checkpoint does not follow Keras' tracked lists: without an attribute
        # per layer the deconv weights would silently be left out of every checkpoint.
        for deconv in self.deconvs:
            setattr(self, deconv.name, deconv)
        self.to_rgb = keras.layers.Conv2DTranspose(
            self.channels, KERNEL_SIZE, strides=2, padding="same", activation="tanh",
            dtype="float32", name="to_rgb")

    def call(self, latents, training=False, subpixel=False):
        x = self.reshape(self.project(latents))
        if not subpixel:
            for deconv in self.deconvs:
                x = deconv(x)
            return self.to_rgb(x)
        for deconv in self.deconvs:
            x = subpixel_deconv(deconv, x)
        return subpixel_deconv(self.to_rgb, tf.cast(x, tf.float32))

    def get_config(self):
        return {**super().get_config(), "image_size": self.image_size, "channels": self.channels}


# For output row 2m + a, the taps of a 5-tap stride-2 'same' transposed convolution that
# land there, read at input rows m - 1, m, m + 1 (None: no tap). TF pads the forward
# convolution it transposes by 1 before and 2 after, so y[2m] = x[m-1] w[3] + x[m] w[1]
# and y[2m+1] = x[m-1] w[4] + x[m] w[2] + x[m+1] w[0].
_PARITY_TAPS = ((3, 1, None), (4, 2, 0))


def subpixel_kernel(kernel):
    """A 5x5 stride-2 'same' Conv2DTranspose kernel as a 3x3 stride-1 conv kernel.

    Args:
      kernel: (5, 5, C_out, C_in), Keras' Conv2DTranspose layout.

    Returns:
      (3, 3, C_in, 4 * C_out): `depth_to_space(conv2d(x, K, 1, "SAME"), 2)` equals the
      transposed convolution of x; output channel (2 a + b) * C_out + c is the output
      pixel (2 m + a, 2 n + b), channel c.
    """
    if tuple(kernel.shape[:2]) != (KERNEL_SIZE, KERNEL_SIZE):
        raise ValueError(f"subpixel_kernel takes a {KERNEL_SIZE}x{KERNEL_SIZE} kernel, got "
                         f"{tuple(kernel.shape)}")
    k = tf.transpose(kernel, (0, 1, 3, 2))  # (5, 5, C_in, C_out)
    zeros = tf.zeros_like(k[0, 0])
    groups = []
    for row_taps in _PARITY_TAPS:
        for col_taps in _PARITY_TAPS:
            groups.append(tf.stack([
                tf.stack([zeros if u is None or v is None else k[u, v] for v in col_taps])
                for u in row_taps]))  # (3, 3, C_in, C_out)
    return tf.concat(groups, axis=-1)


def subpixel_deconv(layer, x):
    """`layer(x)` for a stride-2 'same' 5x5 Conv2DTranspose, as conv + depth_to_space.

    Args:
      layer: a built keras.layers.Conv2DTranspose (kernel 5, strides 2, padding "same").
      x: (B, H, W, C_in) in the layer's compute dtype.

    Returns:
      (B, 2H, 2W, C_out), the layer's output (activation included).
    """
    kernel = tf.cast(subpixel_kernel(layer.kernel), x.dtype)
    y = tf.nn.conv2d(x, kernel, 1, "SAME")
    if layer.use_bias:
        y += tf.cast(tf.tile(layer.bias, [4]), x.dtype)
    return layer.activation(tf.nn.depth_to_space(y, 2))
