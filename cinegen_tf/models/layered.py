"""Our layered recurrent DQN generator (not in the paper).

The paper's idea (an image encoder, a recurrence over time, a DQN choosing an action per
frame, trained with MSE + lambda_adv * adversarial) with a different output: a
cinemagraph is a still photo in which one layer moves, so we generate exactly that.

    x --SkipEncoder--> skips --SkipDecoder--> moving-layer mask m (B,S,S,1), hole fill b
                         |
                   flatten -> z --LSTM([z, one_hot(a_t)])--> h_t --> p_y(t), p_x(t)
                                                                     (softmax over the
                                                                      S displacements)
    layered_t = soft_shift(m * x) + (1 - soft_shift(m)) * ((1 - m) * x + m * b)

soft_shift (models/soft_shift.py) moves the layer by a distribution over every
displacement, so a 30-pixel move gets a gradient from the first step; pixels outside the
layer are the input, exactly. With `refine`, a convolutional LSTM over the S/4 feature
map (its input: the encoder's S/4 skip and the action, tiled) draws what a translation
cannot (rotation, growth, flicker) as a second composite:

    y_t = r_t * c_t + (1 - r_t) * layered_t,   r_t, c_t from the ConvLSTM state + skips.

RNN+DQN as in the paper's Sec. 3.2 reading (training/recurrent_step.py is reused as is):
the Q-network sees the previous frame (x at t = 1) and its action enters the LSTM and the
ConvLSTM. num_actions = 0 gives the plain recurrent variant.
"""
import math

import keras
import tensorflow as tf

from cinegen_tf.models import layer_warp, layered_parts, soft_shift
from cinegen_tf.models.q_network import select_actions

ACTION_EMBEDDING = 8  # channels of the tiled action map entering the ConvLSTM
# Displacement logits = SHIFT_LOGIT_SCALE * dense(h): Adam moves each weight by ~lr per
# step, and a distribution over 64 displacements needs logits ~10 apart to be sharp.
SHIFT_LOGIT_SCALE = 10.0
# `clock`: periods (frames) of the sinusoids of t entering the LSTM at frame t.
CLOCK_PERIODS = (4.0, 8.0, 16.0, 32.0, 64.0)


def clock_features(t, batch):
    """The frame index t (Python int) as float32 (batch, 2 * len(CLOCK_PERIODS)) sinusoids.

    With them the LSTM reads where in its path frame t is instead of counting it: a
    displacement becomes a function of (geometry, t) that dense layers find quickly.
    """
    angles = [2.0 * math.pi * t / period for period in CLOCK_PERIODS]
    row = tf.constant([[f(a) for a in angles for f in (math.sin, math.cos)]], tf.float32)
    return tf.tile(row, [batch, 1])


def layer_geometry(mask):
    """Where the layer is: mask (B, S, S, 1) in [0, 1] -> float32 (B, 5).

    Its centroid (y, x) in [-1, 1] frame coordinates, its spread (std y, std x) in those
    coordinates times S / 8, and 16 x its area as a fraction of the frame. Where an
    object is bounds where it can go (a path must stay in the frame), and a dense layer
    finds this far faster in five numbers than in the flattened feature map.

    Only the mask's confident part counts (relu(2 m - 1): pixels above one half): a
    sigmoid leaves ~1% everywhere, which over a 64x64 frame outweighs a 6-pixel object
    and made the spread of every object about the frame's (3.0-3.7 for heights 6-14,
    seed 0 of the quickstart). The numbers are read out without a gradient: the mask
    learns from the composite, not from what the LSTM would like it to say.
    """
    size = int(mask.shape[1])
    ramp = tf.linspace(-1.0, 1.0, size)
    weights = tf.stop_gradient(tf.nn.relu(2.0 * mask[..., 0] - 1.0))  # (B, S, S)
    total = tf.reduce_sum(weights, axis=[1, 2]) + 1e-3
    rows = tf.reduce_sum(weights, 2) / total[:, None]  # (B, S): the mask's row profile
    cols = tf.reduce_sum(weights, 1) / total[:, None]
    mean_y, mean_x = tf.reduce_sum(rows * ramp, -1), tf.reduce_sum(cols * ramp, -1)
    std_y = tf.sqrt(tf.reduce_sum(rows * (ramp - mean_y[:, None]) ** 2, -1) + 1e-6)
    std_x = tf.sqrt(tf.reduce_sum(cols * (ramp - mean_x[:, None]) ** 2, -1) + 1e-6)
    # Spread and area scaled to ~[0.1, 1] for the objects of the synthetic data: a path's
    # extent and length follow from the object's size there, one pixel of height apart.
    spread = size / 8.0
    return tf.stack([mean_y, mean_x, spread * std_y, spread * std_x,
                     16.0 * total / size ** 2], axis=-1)


@keras.saving.register_keras_serializable(package="cinegen_tf")
class LayeredGenerator(keras.Model):
    """Still input + moving layer (+ ConvLSTM refinement) cinemagraph generator.

    Args:
      z_dim: size of z and of the LSTM state that drives the layer's displacement.
      num_actions: DQN actions N; 0 = no DQN.
      image_size: S, frame height and width, a multiple of 8.
      width: feature maps of the first encoder layer (then x2, x3, x4).
      moving_layer: the soft-shifted layer (off: the ConvLSTM composite alone, over x).
      refine: add the ConvLSTM composite (needed for non-rigid motion).
      coords: append coordinate channels to the input (CoordConv).
      transform: also turn and stretch the layer about its centroid by an angle and two
        scales per frame from the LSTM (models/layer_warp.py), for rotate and scale.
      clock: append sinusoids of the frame index t to the LSTM's input at frame t
        (`clock_features`); off, the LSTM counts frames by itself.
      sharp: at inference (training=False) move the layer by the likeliest displacement
        (argmax of p_y and of p_x) instead of the whole distribution: one sharp object,
        where the MSE-trained mixture draws faint copies at every place the object may
        be. (The per-axis median scored worse: 11.47 px vs 11.11 px on eight.)
    """

    def __init__(self, z_dim=256, num_actions=64, image_size=64, width=32, moving_layer=True,
                 refine=True, coords=True, sharp=True, transform=False, clock=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.z_dim, self.num_actions = int(z_dim), int(num_actions)
        self.image_size, self.width = int(image_size), int(width)
        self.moving_layer, self.refine = bool(moving_layer), bool(refine)
        self.coords, self.sharp = bool(coords), bool(sharp)
        self.transform = bool(transform) and self.moving_layer
        self.clock = bool(clock)
        if not (self.moving_layer or self.refine):
            raise ValueError("a LayeredGenerator needs moving_layer or refine (or both)")
        if self.num_actions < 0:
            raise ValueError(f"num_actions must be >= 0, got {num_actions}")
        if self.image_size % 8:
            raise ValueError(f"image_size must be a multiple of 8, got {image_size}")
        size = self.image_size
        self.encoder = layered_parts.SkipEncoder(self.width, name="encoder")
        if self.moving_layer:
            self.layer_decoder = layered_parts.SkipDecoder(self.width, outputs=4, num_ups=3,
                                                           name="layer_decoder")
            self.flatten = keras.layers.Flatten()
            self.to_z = keras.layers.Dense(self.z_dim, activation="relu",
                                           kernel_initializer="he_uniform", name="to_z")
            self.cell = keras.layers.LSTMCell(self.z_dim, name="lstm")
            # Zero kernels: every displacement equally likely at the start.
            self.shift_y, self.shift_x = (
                keras.layers.Dense(soft_shift.num_displacements(size), dtype="float32",
                                   kernel_initializer="zeros", name=name)
                for name in ("shift_y", "shift_x"))
            # Zero kernel: angle 0 and scales 1 at the start.
            self.transform_head = (keras.layers.Dense(3, dtype="float32",
                                                      kernel_initializer="zeros",
                                                      name="transform")
                                   if self.transform else None)
        self.q_network = (layered_parts.SmallConvNet(self.num_actions, name="q_network")
                          if self.num_actions else None)
        if self.refine:
            self.conv_lstm = layered_parts.ConvLSTMCell(2 * self.width, name="conv_lstm")
            self.action_map = (keras.layers.Dense(ACTION_EMBEDDING, name="action_map")
                               if self.num_actions else None)
            self.refine_decoder = layered_parts.SkipDecoder(self.width, outputs=4, num_ups=2,
                                                            name="refine_decoder")

    @property
    def uses_dqn(self):
        return self.q_network is not None

    def layer(self, images, skips, training=False):
        """The moving layer of `images` (B, S, S, 3) in [-1, 1] with encoder `skips`.

        Returns:
          (mask float32 (B, S, S, 1) in [0, 1], background float32 (B, S, S, 3): the
          input with the layer's area filled in, z float32 (B, z_dim + 5): the latent
          and the layer's geometry, see `layer_geometry`).
        """
        out = self.layer_decoder(skips[-1], skips, training=training)
        mask = tf.sigmoid(out[..., :1])
        background = (1.0 - mask) * images + mask * tf.tanh(out[..., 1:])
        z = self.to_z(self.flatten(skips[-1]), training=training)
        return mask, background, tf.concat([tf.cast(z, tf.float32), layer_geometry(mask)],
                                           axis=-1)

    def call(self, images, num_frames, training=False, epsilon=0.0, temperature=0.0, seed=None):
        """Generates `num_frames` frames after `images`.

        Args:
          images: float32 (B, S, S, 3) in [-1, 1], the still input x.
          num_frames: Python int T >= 1.
          training: Keras training flag.
          epsilon, temperature, seed: DQN action selection (q_network.select_actions).

        Returns:
          dict with "frames" float32 (B, T, S, S, 3) in [-1, 1]; with the moving layer
          "mask" float32 (B, S, S, 1); with a DQN "q_values" (B, T, N) and "actions"
          int32 (B, T).
        """
        num_frames = int(num_frames)
        if num_frames < 1:
            raise ValueError(f"num_frames must be >= 1, got {num_frames}")
        size = self.image_size  # static: callers may resize with a dynamic shape
        images = tf.ensure_shape(tf.cast(tf.convert_to_tensor(images), tf.float32),
                                 [None, size, size, 3])
        inputs = layered_parts.coordinate_channels(images) if self.coords else images
        skips = self.encoder(inputs, training=training)
        batch = tf.shape(images)[0]
        out = {}
        if self.moving_layer:
            mask, background, z = self.layer(images, skips, training)
            layer = tf.concat([mask * images, mask], axis=-1)  # premultiplied colour, alpha
            state = [tf.zeros((batch, self.z_dim), tf.float32)] * 2
            centre = layer_warp.centroid_pixels(z[:, -5:], size)  # z ends with the geometry
            out["mask"] = mask
        if self.refine:
            zeros = tf.zeros(tf.concat([tf.shape(skips[2])[:3], [2 * self.width]], 0))
            map_state = [zeros, zeros]
        frames, q_values, actions = [], [], []
        previous, one_hot = images, None
        for t in range(num_frames):
            if self.uses_dqn:
                q = self.q_network(tf.stop_gradient(previous), training=training)
                step_seed = (None if seed is None
                             else tf.random.experimental.stateless_fold_in(seed, t))
                a = select_actions(q, epsilon=epsilon, temperature=temperature, seed=step_seed)
                one_hot = tf.one_hot(a, self.num_actions)
                q_values.append(q)
                actions.append(a)
            frame = images
            if self.moving_layer:
                step_input = [z]  # the latent and the layer's geometry
                if self.clock:
                    step_input.append(clock_features(t, batch))
                if one_hot is not None:
                    step_input.append(one_hot)
                h, state = self.cell(tf.concat(step_input, axis=-1), state, training=training)
                p_y, p_x = (self._displacements(head(h), training)
                            for head in (self.shift_y, self.shift_x))
                layer_t = layer
                if self.transform:
                    angle, scales = layer_warp.angle_and_scales(self.transform_head(h))
                    layer_t = layer_warp.warp(layer, centre, angle, scales)
                moved = soft_shift.soft_shift(layer_t, p_y, p_x)[:, 0]  # (B, S, S, 4)
                frame = moved[..., :3] + (1.0 - moved[..., 3:]) * background
            if self.refine:
                frame, map_state = self._refine(frame, skips, map_state, one_hot, training)
            frames.append(frame)
            previous = frame
        out["frames"] = tf.stack(frames, axis=1)
        if self.uses_dqn:
            out.update(q_values=tf.stack(q_values, axis=1), actions=tf.stack(actions, axis=1))
        return out

    def _displacements(self, logits, training):
        """Logits (B, S) -> displacement distribution (B, 1, S), one-hot when sharp."""
        p = tf.nn.softmax(SHIFT_LOGIT_SCALE * logits)
        if self.sharp and not training:
            p = tf.one_hot(tf.argmax(p, axis=-1), self.image_size)
        return p[:, None]

    def rollout(self, images, num_frames):
        """Greedy frames after `images`: float32 (B, num_frames, S, S, 3) in [-1, 1]."""
        return self(images, num_frames=num_frames, training=False)["frames"]

    def _refine(self, frame, skips, map_state, one_hot, training):
        """One ConvLSTM step and its composite over `frame` (B, S, S, 3) float32."""
        grid = skips[2]
        inputs = [grid]
        if one_hot is not None:
            embedded = self.action_map(one_hot, training=training)  # (B, E)
            size = tf.shape(grid)[1]
            inputs.append(tf.tile(embedded[:, None, None, :], [1, size, size, 1]))
        inputs = tf.concat([tf.cast(v, grid.dtype) for v in inputs], axis=-1)
        h, map_state = self.conv_lstm(inputs, map_state, training=training)
        out = self.refine_decoder(tf.cast(h, grid.dtype), skips, training=training)
        # Bias -3: the refinement starts almost transparent (5%) over the layered frame.
        r = tf.sigmoid(out[..., :1] - 3.0)
        return r * tf.tanh(out[..., 1:]) + (1.0 - r) * frame, map_state

    def build_all(self, num_frames=2):
        """Creates every weight by running one dummy batch (needed before a restore)."""
        self(tf.zeros((1, self.image_size, self.image_size, 3)), num_frames=num_frames)
        return self

    def get_config(self):
        return {**super().get_config(), "z_dim": self.z_dim, "num_actions": self.num_actions,
                "image_size": self.image_size, "width": self.width,
                "moving_layer": self.moving_layer, "refine": self.refine,
                "coords": self.coords, "sharp": self.sharp, "transform": self.transform,
                "clock": self.clock}
