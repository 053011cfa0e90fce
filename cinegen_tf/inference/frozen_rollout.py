"""The recurrent generator's rollout for inference, with its weights frozen into the graph.

    x --Encoder--> z;  for t = 1 .. T (a tf.while_loop):
        RNN+DQN: a_t = select(Q(f_{t-1})), h_t = LSTM(z, state), f_t = Decoder([h_t, a_t])
        RNN:     h_t = LSTM(z, state)        then all f_t = Decoder(h_1 .. h_T) at once

The same computation as `RecurrentGenerator.call` (Sec. 3.1 / 3.2) with two changes that
only matter for speed at batch 1 on a CPU:

- every weight is a graph constant (a snapshot taken when the rollout is built), not a
  variable. oneDNN reorders a variable kernel into its blocked layout on every call;
  a constant kernel is reordered once and cached (a 5x5 512->256 kernel is 13 MB; the
  DQN and decoder read ~34 MB per frame). The decoder's transposed convolutions run as
  sub-pixel convolutions (see subpixel), oneDNN's faster path for constant kernels.
  Batch-1 20-frame RNN+DQN rollout on a 2-core CPU: 216 ms with variables, 177 ms
  with constants, 123 ms with constants and sub-pixel convolutions.
- the recurrence is a tf.while_loop, so each constant appears once in the graph instead
  of once per unrolled step: the first call took ~2 s instead of ~11 s (~3 s with
  the sub-pixel decoder), and the process peaked at ~1.4 GB instead of ~3.4 GB
  (~1.7 GB with the sub-pixel decoder; ~0.9 GB with variables).

`weights_fingerprint` tells when the generator's weights have changed since a snapshot.
"""
import keras
import numpy as np
import tensorflow as tf

from cinegen_tf.inference import subpixel
from cinegen_tf.models.q_network import select_actions


def weights_fingerprint(generator):
    """A cheap checksum of the generator's weights (its 1-D ones: biases, LSTM gates).

    Training or restoring a checkpoint changes every bias, so this tells a stale
    snapshot from a current one in well under a millisecond (hashing every kernel costs
    ~30 ms, a third of a 64x64 cinemagraph).
    """
    return tuple(float(np.sum(v.numpy(), dtype=np.float64)) for v in generator.variables
                 if len(v.shape) == 1)


class FrozenRollout:
    """`RecurrentGenerator` inference with its weights as constants, inside tf.functions.

    Args:
      generator: a built `RecurrentGenerator`; its weights are copied now.

    Call (inside a tf.function): images float32 (B, S, S, 3) in [-1, 1], num_frames T
    (Python int), temperature (Python float, 0 = greedy), seed int32 (2,) or None ->
    (frames float32 (B, T, S, S, 3) in [-1, 1], actions int32 (B, T), -1 for the RNN).
    """

    def __init__(self, generator):
        self._generator = generator
        self.fingerprint = weights_fingerprint(generator)
        # (variable, numpy copy) of each network the Keras layers run; the decoder is
        # copied below, as sub-pixel kernels.
        networks = [generator.encoder, generator.cell] + (
            [generator.q_network] if generator.uses_dqn else [])
        self._snapshot = {id(n): [(v, np.array(v.numpy())) for v in n.variables]
                          for n in networks}
        d = generator.decoder
        self._decoder = [(d.project.kernel.numpy(), d.project.bias.numpy())] + [
            (subpixel.subpixel_kernel(layer.kernel.numpy()), layer.bias.numpy())
            for layer in d.deconvs + [d.to_rgb]]

    def _decode(self, latents):
        """The decoder with sub-pixel convolutions (see subpixel): (B, D) -> (B, S, S, 3)."""
        decoder = self._decoder
        x = tf.nn.relu(tf.matmul(tf.cast(latents, tf.float32), tf.constant(decoder[0][0]))
                       + tf.constant(decoder[0][1]))
        base = self._generator.image_size // 16
        x = tf.reshape(x, (-1, base, base, decoder[0][1].shape[0] // (base * base)))
        for kernel, bias in decoder[1:-1]:
            x = tf.nn.relu(subpixel.transposed_conv(x, tf.constant(kernel), tf.constant(bias)))
        kernel, bias = decoder[-1]
        return tf.tanh(subpixel.transposed_conv(x, tf.constant(kernel), tf.constant(bias)))

    def _constants(self, *networks):
        """StatelessScope mapping the networks' variables to constants made in this graph."""
        return keras.StatelessScope(state_mapping=[
            (v, tf.constant(value)) for n in networks for v, value in self._snapshot[id(n)]])

    def __call__(self, images, num_frames, temperature=0.0, seed=None):
        g = self._generator
        num_frames = int(num_frames)
        images = tf.convert_to_tensor(images, tf.float32)
        batch = tf.shape(images)[0]
        with self._constants(g.encoder):
            z = g.encoder(images)
        zeros = tf.zeros((batch, g.z_dim), z.dtype)
        if not g.uses_dqn:
            def rnn_step(t, h, c, latents):
                with self._constants(g.cell):
                    h, (h, c) = g.cell(z, [h, c])
                return t + 1, h, c, latents.write(t, h)

            latents = tf.TensorArray(z.dtype, size=num_frames)
            *_, latents = tf.while_loop(lambda t, *_: t < num_frames, rnn_step,
                                        (tf.constant(0), zeros, zeros, latents))
            latents = tf.reshape(tf.transpose(latents.stack(), [1, 0, 2]), (-1, g.z_dim))
            out = self._decode(latents)
            size = g.image_size
            return (tf.reshape(out, (batch, num_frames, size, size, 3)),
                    tf.fill([batch, num_frames], -1))

        def dqn_step(t, previous, h, c, frames, actions):
            with self._constants(g.q_network, g.cell):
                q = g.q_network(previous)
                step_seed = (None if seed is None
                             else tf.random.experimental.stateless_fold_in(seed, t))
                a = select_actions(q, temperature=temperature, seed=step_seed)
                h, (h, c) = g.cell(z, [h, c])
                one_hot = tf.one_hot(a, g.num_actions, dtype=h.dtype)
                frame = self._decode(tf.concat([h, one_hot], axis=-1))
            return t + 1, frame, h, c, frames.write(t, frame), actions.write(t, a)

        actions = tf.TensorArray(tf.int32, size=num_frames)
        frames = tf.TensorArray(tf.float32, size=num_frames)
        *_, frames, actions = tf.while_loop(
            lambda t, *_: t < num_frames, dqn_step,
            (tf.constant(0), images, zeros, zeros, frames, actions))
        return (tf.transpose(frames.stack(), [1, 0, 2, 3, 4]),
                tf.transpose(actions.stack(), [1, 0]))
