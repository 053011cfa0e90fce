"""The discriminator of the GAN loss (Sec. 3.1, Eq. 2).

The paper calls it "an additional binary CNN classifier" and gives no detail; we use the
encoder's conv stack (4 x conv 5x5/2, 64-128-256-512, ReLU) and a single logit. It judges
single frames: sequences are folded into the batch.
"""
import keras

from cinegen_tf.models.encoder import ConvStack


@keras.saving.register_keras_serializable(package="cinegen_tf")
class Discriminator(keras.Model):
    """Frame -> real/fake logit.

    Call: frames float32 (B, 64, 64, 3) in [-1, 1] -> logits float32 (B, 1);
    D(x) = sigmoid(logit) is the probability that a frame is real.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv_stack = ConvStack(name="conv_stack")
        self.head = keras.layers.Dense(1, dtype="float32", name="logit")

    def call(self, frames, training=False):
        return self.head(self.conv_stack(frames))
