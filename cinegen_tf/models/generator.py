"""The recurrent generator (Sec. 3.1) and its deep-Q-network variant (Sec. 3.2).

    x --Encoder--> z --LSTM (z fed at every step)--> h_1 .. h_T --Decoder--> y_1 .. y_T

RNN+DQN: at step t the Q-network looks at the previous frame s_t (x at t = 1), picks
an action a_t (argmax of the Q-vector, Sec. 3.2), and the decoder sees
[h_t, one_hot(a_t)] instead of h_t. No gradient flows through the argmax: the DQN is
trained by Q-learning (cinegen_tf/training), the rest by the generative loss.
"""
import keras
import tensorflow as tf

from cinegen_tf.models.decoder import Decoder
from cinegen_tf.models.encoder import Encoder
from cinegen_tf.models.q_network import QNetwork, select_actions


@keras.saving.register_keras_serializable(package="cinegen_tf")
class RecurrentGenerator(keras.Model):
    """RNN (num_actions=0) or RNN+DQN (num_actions=N) cinemagraph generator.

    Args:
      z_dim: size of z and of the LSTM state (64 synthetic, 512 real; Sec. 5.1).
      num_actions: size N of the DQN's Q-vector (64 synthetic, 512 real); 0 = plain RNN.
      image_size: frame height and width, a multiple of 16 (64 in the paper).
    """

    def __init__(self, z_dim=64, num_actions=0, image_size=64, **kwargs):
        super().__init__(**kwargs)
        if int(num_actions) < 0:
            raise ValueError(f"num_actions must be >= 0, got {num_actions}")
        self.z_dim = int(z_dim)
        self.num_actions = int(num_actions)
        self.image_size = int(image_size)
        self.encoder = Encoder(self.z_dim, name="encoder")
        self.cell = keras.layers.LSTMCell(self.z_dim, name="lstm")
        self.decoder = Decoder(self.image_size, name="decoder")
        self.q_network = QNetwork(self.num_actions, name="q_network") if self.num_actions else None

    @property
    def uses_dqn(self):
        return self.q_network is not None

    def call(self, images, num_frames, training=False, epsilon=0.0, temperature=0.0, seed=None):
        """Generates `num_frames` frames after `images`.

        Args:
          images: float32 (B, S, S, 3) in [-1, 1], the still input x.
          num_frames: Python int T >= 1, frames to generate (the recurrence may run past
            the training length).
          training: Keras training flag.
          epsilon, temperature, seed: DQN action selection, see `select_actions`
            (greedy when both are 0). Ignored by the plain RNN.

        Returns:
          dict with "frames": float32 (B, T, S, S, 3) in [-1, 1]; for RNN+DQN also
          "q_values": float32 (B, T, N) = Q(s_t) and "actions": int32 (B, T).
        """
        num_frames = int(num_frames)
        if num_frames < 1:
            raise ValueError(f"num_frames must be >= 1, got {num_frames}")
        images = tf.convert_to_tensor(images)
        z = self.encoder(images, training=training)
        batch = tf.shape(z)[0]
        state = [tf.zeros((batch, self.z_dim), z.dtype)] * 2
        if not self.uses_dqn:
            latents = []
            for _ in range(num_frames):
                h, state = self.cell(z, state, training=training)
                latents.append(h)
            # One decoder call over all steps: same weights, far better batched.
            latents = tf.reshape(tf.stack(latents, axis=1), (-1, self.z_dim))
            frames = self.decoder(latents, training=training)
            size = self.image_size
            return {"frames": tf.reshape(frames, (batch, num_frames, size, size, 3))}

        frames, q_values, actions = [], [], []
        previous = tf.cast(images, tf.float32)
        for t in range(num_frames):
            q = self.q_network(tf.stop_gradient(previous), training=training)
            step_seed = None if seed is None else tf.random.experimental.stateless_fold_in(seed, t)
            a = select_actions(q, epsilon=epsilon, temperature=temperature, seed=step_seed)
            h, state = self.cell(z, state, training=training)
            one_hot = tf.one_hot(a, self.num_actions, dtype=h.dtype)
            previous = self.decoder(tf.concat([h, one_hot], axis=-1), training=training)
            frames.append(previous)
            q_values.append(q)
            actions.append(a)
        return {"frames": tf.stack(frames, axis=1), "q_values": tf.stack(q_values, axis=1),
                "actions": tf.stack(actions, axis=1)}

    def build_all(self, num_frames=2):
        """Creates every weight by running one dummy batch (needed before a restore)."""
        self(tf.zeros((1, self.image_size, self.image_size, 3)), num_frames=num_frames)
        return self

    def get_config(self):
        return {**super().get_config(), "z_dim": self.z_dim, "num_actions": self.num_actions,
                "image_size": self.image_size}
