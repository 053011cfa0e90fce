"""The constant baseline of Sec. 5.4 (Table 3): every generated frame is the input frame.

It has no weights. Its frame differences d_t = f_t - f_{t-1} are all zero, which is what
Table 3 compares the RNN+DQN model against (cinegen_tf/evaluation/metrics.py).
"""
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="cinegen_tf")
class ConstantBaseline(keras.Model):
    """Image -> the same image, at every time step.

    Call: images float32 (B, H, W, C) in [-1, 1] -> the next frame, float32 (B, H, W, C),
    equal to the input.
    """

    def call(self, images, training=False):
        return tf.identity(tf.convert_to_tensor(images, tf.float32))

    def rollout(self, images, num_frames):
        """Generates `num_frames` frames after `images` (the input is not repeated in front).

        Args:
          images: float32 (B, H, W, C) in [-1, 1], the still input x.
          num_frames: Python int >= 1.

        Returns:
          float32 (B, num_frames, H, W, C), every frame equal to `images`.
        """
        num_frames = int(num_frames)
        if num_frames < 1:
            raise ValueError(f"num_frames must be >= 1, got {num_frames}")
        images = tf.convert_to_tensor(images, tf.float32)
        if images.shape.rank != 4:
            raise ValueError(f"images must be (B, H, W, C), got shape {images.shape}")
        return tf.repeat(self(images)[:, None], num_frames, axis=1)

    def get_config(self):
        return super().get_config()
