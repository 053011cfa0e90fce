"""One training step of the RNN (Sec. 3.1) and RNN+DQN (Sec. 3.2) generators.

A single forward pass feeds three updates, each with its own Adam:

- generator (encoder, LSTM, decoder): loss = MSE + lambda_adv * (-log D(G(x))) (Eq. 3),
  trained through the decoder on the chosen one-hot; nothing reaches the DQN through
  the argmax.
- discriminator: binary cross-entropy on real frames 1..T and generated frames, all
  frames folded into the batch (B*T single frames). G and D are updated simultaneously
  from the same forward pass (both gradients are taken before either update).
- DQN (our reading of Sec. 3.2; the paper only gives Eq. 4): state s_t = previous frame
  (x at t = 1), action a_t epsilon-greedy on Q(s_t), reward
  r_t = -(mse_t + lambda_adv * adv_t) of the frame it produced (per sample, no gradient),
  target y_t = r_t + sigma * max_a Q_target(s_{t+1}, a) (0 continuation after the last
  frame), TD loss on Q(s_t, a_t); Q_target is a copy synced every `target_sync_every`.

Synthetic clips shorter than the category's length are padded with black frames (Sec. 5.2).
The paper does not say whether its loss covered them; a clip's length cannot be told from
its first frame, so by default (`train.loss_on_padding = False`) every loss above is
averaged over the frames before `batch["length"]` only, and an episode ends at its last
real frame.
"""
import tensorflow as tf

from cinegen_tf import losses


GAN_METRICS = ("generator_loss", "mse", "adversarial_loss", "discriminator_loss", "d_real",
               "d_fake")
DQN_METRICS = ("td_loss", "mean_max_q", "reward", "epsilon")


def epsilon_at(step, dqn_config):
    """Linearly annealed exploration rate: epsilon_start -> epsilon_end over decay steps.

    Args:
      step: int scalar (tensor or Python), steps done so far.
      dqn_config: the config's `dqn` section.

    Returns:
      float32 scalar in [0, 1].
    """
    fraction = tf.minimum(tf.cast(step, tf.float32) / float(dqn_config.epsilon_decay_steps),
                          1.0)
    start, end = float(dqn_config.epsilon_start), float(dqn_config.epsilon_end)
    return start + fraction * (end - start)


def _fold(frames):
    """(B, T, H, W, C) -> (B*T, H, W, C); H, W, C stay static for the conv kernels."""
    return tf.reshape(frames, (-1,) + tuple(frames.shape[2:]))


def scored_frames(batch, num_frames, loss_on_padding=False):
    """Which generated frames the losses cover: float32 (B, T) in {0, 1}.

    Frame t (1-based) of a clip is scored when t < batch["length"]; black padding frames
    beyond the length (synthetic data) are left out unless `loss_on_padding`.
    """
    batch_size = tf.shape(batch["video"])[0]
    if loss_on_padding or "length" not in batch:
        return tf.ones((batch_size, num_frames), tf.float32)
    frame_index = tf.range(1, num_frames + 1)[None, :]
    return tf.cast(frame_index < tf.cast(batch["length"], tf.int32)[:, None], tf.float32)


def _masked_mean(values, mask):
    """Mean of float (B, T) `values` over the entries where `mask` is 1: float32 scalar."""
    values = tf.cast(values, tf.float32)
    return tf.reduce_sum(values * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)


def generator_variables(generator):
    """The generator's trainable variables without the DQN's (trained by Q-learning)."""
    if generator.q_network is None:
        return list(generator.trainable_variables)
    q_ids = {id(v) for v in generator.q_network.trainable_variables}
    return [v for v in generator.trainable_variables if id(v) not in q_ids]


def sync_target_network(q_network, target_q_network):
    """Copies the online DQN's weights into the target network."""
    for target, source in zip(target_q_network.variables, q_network.variables):
        target.assign(source.value)


def make_recurrent_train_step(generator, discriminator, optimizers, config,
                              target_q_network=None):
    """Builds the step function (call it inside a tf.function).

    Args:
      generator: a built RecurrentGenerator (with a q_network for RNN+DQN).
      discriminator: a built Discriminator.
      optimizers: dict with built "generator", "discriminator" and, for RNN+DQN, "q"
        optimizers.
      config: the training ConfigDict (train.lambda_adv and the dqn section are used).
      target_q_network: a built QNetwork for RNN+DQN, else None.

    Returns:
      step(batch, step, seed) -> dict of float32 scalar metrics, where batch["video"] is
      float32 (B, T, S, S, 3) in [-1, 1] (frame 0 = input x), step an int64 scalar (steps
      done before this one) and seed an int (2,) stateless seed for the exploration.
    """
    uses_dqn = generator.q_network is not None
    if uses_dqn and target_q_network is None:
        raise ValueError("an RNN+DQN generator needs a target_q_network")
    lambda_adv = float(config.train.lambda_adv)
    discount = float(config.dqn.discount)
    td_kind = config.dqn.td_loss
    sync_every = int(config.dqn.target_sync_every)
    loss_on_padding = bool(config.train.loss_on_padding)
    # Not in the paper, off for its configs (the key is absent): our layered generator's
    # configs weight moving pixels (losses.motion_weighted_mse), annealed linearly to 0
    # over train.motion_weight_steps (default num_steps): it breaks the copy-the-input
    # minimum early, and the plain MSE at the end keeps the still background exact.
    motion_weight = float(config.train.get("motion_weight", 0.0))
    anneal_steps = float(config.train.get("motion_weight_steps", config.train.num_steps))
    g_vars = generator_variables(generator)
    d_vars = list(discriminator.trainable_variables)
    q_vars = list(generator.q_network.trainable_variables) if uses_dqn else []

    def step_fn(batch, step, seed):
        video = tf.convert_to_tensor(batch["video"], tf.float32)  # (B, T+1, S, S, 3)
        images, targets = video[:, 0], video[:, 1:]
        num_frames = video.shape[1] - 1
        valid = scored_frames(batch, num_frames, loss_on_padding)  # (B, T) float32
        epsilon = epsilon_at(step, config.dqn) if uses_dqn else tf.constant(0.0)
        with tf.GradientTape(persistent=True) as tape:
            out = generator(images, num_frames=num_frames, training=True, epsilon=epsilon,
                            seed=seed)
            frames = out["frames"]  # (B, T, S, S, 3)
            fake_logits = discriminator(_fold(frames), training=True)  # (B*T, 1)
            real_logits = discriminator(_fold(targets), training=True)
            if motion_weight:
                weight = motion_weight * tf.maximum(
                    0.0, 1.0 - tf.cast(step, tf.float32) / anneal_steps)
                per_frame_mse = losses.motion_weighted_mse(frames, targets, images,
                                                           weight)  # (B, T)
            else:
                per_frame_mse = losses.per_frame_mse(frames, targets)  # (B, T)
            # -log D(G(x)) per frame (Eq. 2); softplus(-l) = -log sigmoid(l).
            per_frame_adv = tf.reshape(tf.nn.softplus(-fake_logits), tf.shape(valid))
            mse = _masked_mean(per_frame_mse, valid)
            adv = _masked_mean(per_frame_adv, valid)
            g_loss = mse + lambda_adv * adv  # Eq. 3
            # Binary cross-entropy: -log D(y) - log(1 - D(G(x))).
            d_loss = (_masked_mean(tf.reshape(tf.nn.softplus(-real_logits), tf.shape(valid)),
                                   valid)
                      + _masked_mean(tf.reshape(tf.nn.softplus(fake_logits), tf.shape(valid)),
                                     valid))
            if uses_dqn:
                q_values = out["q_values"]  # (B, T, N)
                q_taken = tf.gather(q_values, out["actions"], batch_dims=2)  # (B, T)
                rewards = tf.stop_gradient(-(per_frame_mse + lambda_adv * per_frame_adv))
                next_q = target_q_network(_fold(tf.stop_gradient(frames[:, :-1])))
                next_max_q = tf.reshape(tf.reduce_max(next_q, axis=-1),
                                        tf.shape(per_frame_mse[:, :-1]))
                # The episode ends at the last scored frame: no continuation after it.
                next_max_q = tf.pad(next_max_q * valid[:, 1:], [[0, 0], [0, 1]])
                td_targets = losses.td_targets(rewards, next_max_q, discount)
                # Unscored frames get zero error; rescale the mean to the scored ones.
                q_scored = tf.where(valid > 0, q_taken, td_targets)
                q_loss = (losses.td_loss(q_scored, td_targets, kind=td_kind)
                          * tf.cast(tf.size(valid), tf.float32)
                          / tf.maximum(tf.reduce_sum(valid), 1.0))
        optimizers["generator"].apply(tape.gradient(g_loss, g_vars), g_vars)
        optimizers["discriminator"].apply(tape.gradient(d_loss, d_vars), d_vars)
        metrics = {"generator_loss": g_loss, "mse": mse, "adversarial_loss": adv,
                   "discriminator_loss": d_loss,
                   "d_real": _masked_mean(tf.reshape(tf.sigmoid(real_logits), tf.shape(valid)),
                                          valid),
                   "d_fake": _masked_mean(tf.reshape(tf.sigmoid(fake_logits), tf.shape(valid)),
                                          valid)}
        if uses_dqn:
            optimizers["q"].apply(tape.gradient(q_loss, q_vars), q_vars)
            del tape

            def sync():
                sync_target_network(generator.q_network, target_q_network)
                return tf.constant(True)

            tf.cond(tf.equal((step + 1) % sync_every, 0), sync, lambda: tf.constant(False))
            metrics.update(td_loss=q_loss,
                           mean_max_q=_masked_mean(tf.reduce_max(q_values, -1), valid),
                           reward=_masked_mean(rewards, valid), epsilon=epsilon)
        return {k: tf.cast(v, tf.float32) for k, v in metrics.items()}

    return step_fn
