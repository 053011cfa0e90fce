"""The deep Q-network of the recurrent DQN generator (Sec. 3.2, 5.1).

The DQN has the encoder's architecture without the final tanh: the previous generated
frame (the input image at the first step) goes in, an N-way Q-vector comes out. Its
argmax, as a one-hot vector, is the "quantised action" concatenated with the LSTM latent
before the decoder.
"""
import keras
import tensorflow as tf

from cinegen_tf.models.encoder import ConvStack


@keras.saving.register_keras_serializable(package="cinegen_tf")
class QNetwork(keras.Model):
    """State (frame) -> Q-vector.

    Args:
      num_actions: N, the size of the Q-vector; 64 synthetic, 512 real (Sec. 5.1).

    Call: states float32 (B, 64, 64, 3) in [-1, 1] -> Q-values float32 (B, N), unbounded.
    """

    def __init__(self, num_actions, **kwargs):
        super().__init__(**kwargs)
        if int(num_actions) <= 0:
            raise ValueError(f"num_actions must be positive, got {num_actions}")
        self.num_actions = int(num_actions)
        self.conv_stack = ConvStack(name="conv_stack")
        self.head = keras.layers.Dense(self.num_actions, dtype="float32", name="q")

    def call(self, states, training=False):
        return self.head(self.conv_stack(states))

    def get_config(self):
        return {**super().get_config(), "num_actions": self.num_actions}


def select_actions(q_values, *, epsilon=0.0, temperature=0.0, seed=None):
    """Chooses one action per row of `q_values`.

    Greedy argmax by default (the paper's one-hot of the maximal Q-value). With
    `temperature > 0` actions are sampled from softmax(Q / temperature) (several
    cinemagraphs from one image); with `epsilon > 0` each action is replaced, with
    probability epsilon, by a uniformly random one (exploration while training).

    Args:
      q_values: float (B, N).
      epsilon: float scalar (Python or tensor) in [0, 1].
      temperature: Python float >= 0; 0 means greedy.
      seed: int32 (2,) stateless seed; required when epsilon or temperature is used.

    Returns:
      int32 (B,) actions in [0, N).
    """
    q_values = tf.convert_to_tensor(q_values, tf.float32)
    num_actions = tf.shape(q_values)[1]
    explore = not (isinstance(epsilon, (int, float)) and epsilon == 0)
    if (temperature or explore) and seed is None:
        raise ValueError("a seed is needed to sample actions (temperature or epsilon > 0)")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature:
        sample_seed = tf.random.experimental.stateless_fold_in(seed, 0)
        actions = tf.random.stateless_categorical(
            q_values / temperature, 1, sample_seed, dtype=tf.int32)[:, 0]
    else:
        actions = tf.argmax(q_values, axis=-1, output_type=tf.int32)
    if explore:
        batch = tf.shape(q_values)[:1]
        coin_seed, pick_seed = (tf.random.experimental.stateless_fold_in(seed, i) for i in (1, 2))
        random_actions = tf.random.stateless_uniform(
            batch, pick_seed, minval=0, maxval=num_actions, dtype=tf.int32)
        # Keras casts float call arguments to the compute dtype (bfloat16 under mixed
        # precision): compare in float32.
        take_random = tf.random.stateless_uniform(batch, coin_seed) < tf.cast(epsilon, tf.float32)
        actions = tf.where(take_random, random_actions, actions)
    return actions
