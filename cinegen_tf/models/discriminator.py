"""The discriminator of the GAN loss (Sec. 3.1, Eq. 2).

The paper calls it "an additional binary CNN classifier" and gives no detail; we use the
encoder's conv stack (4 x conv 5x5/2, 64-128-256-512, ReLU) and a single logit. It judges
single frames: sequences are folded into the batch.
"""
import keras

from cinegen_tf.models.encoder import BASE_FILTERS, ConvStack, stack_filters


@keras.saving.register_keras_serializable(package="cinegen_tf")
class Discriminator(keras.Model):
    """Frame -> real/fake logit.

    Args:
      base_filters: b of the b-2b-4b-8b conv stack (64, as the encoder's in the paper).

    Call: frames float32 (B, 64, 64, 3) in [-1, 1] -> logits float32 (B, 1);
    D(x) = sigmoid(logit) is the probability that a frame is real.
    """

    def __init__(self, base_filters=BASE_FILTERS, **kwargs):
        super().__init__(**kwargs)
        self.base_filters = int(base_filters)
        self.conv_stack = ConvStack(stack_filters(base_filters), name="conv_stack")
        self.head = keras.layers.Dense(1, dtype="float32", name="logit")

    def call(self, frames, training=False):
        return self.head(self.conv_stack(frames))

    def get_config(self):
        return {**super().get_config(), "base_filters": self.base_filters}
