"""The training methods as pluggable units.

A method builds its networks and optimizers, names its checkpoint items, and gives a
train step and a `generate(images, num_frames)` function; the loop in train_lib knows
nothing else about it. Registered methods: "rnn" and "rnn_dqn" (Sec. 3.1, 3.2),
"constant" (Sec. 5.4), "mathieu" (Mathieu et al. 2016) and "layered" (ours, not in the
paper: models/layered.py, trained by the paper's GAN+DQN step).
"""
import dataclasses
from typing import Callable, Optional

import keras
import tensorflow as tf

from cinegen_tf.models.constant import ConstantBaseline
from cinegen_tf.models.discriminator import Discriminator
from cinegen_tf.models.generator import RecurrentGenerator
from cinegen_tf.models.layered import LayeredGenerator
from cinegen_tf.models.layered_parts import SmallConvNet
from cinegen_tf.models.mathieu import MathieuDiscriminator, MathieuGenerator
from cinegen_tf.models.q_network import QNetwork
from cinegen_tf.training import mathieu_step, recurrent_step

MATHIEU_METRICS = ("g_loss", "lp_loss", "gdl_loss", "g_adv_loss", "d_loss", "psnr")


@dataclasses.dataclass
class Method:
    """A built method.

    Attributes:
      generator: the model that load_generator restores (checkpoint item "generator").
      networks: name -> keras model, every network to checkpoint (generator included).
      optimizers: name -> built Adam, checkpointed as "<name>_optimizer".
      train_step: step(batch, step, seed) -> dict of float32 scalar metrics, traced
        inside the loop's tf.function; None for a method with nothing to train.
      generate: generate(images, num_frames) -> float32 (B, num_frames, S, S, 3) in
        [-1, 1] from images float32 (B, S, S, 3); deterministic (greedy DQN).
      metric_names: the keys of train_step's result, in logging order.
    """
    generator: keras.Model
    networks: dict
    optimizers: dict
    train_step: Optional[Callable]
    generate: Callable
    metric_names: tuple = ()

    def checkpoint_items(self):
        items = dict(self.networks)
        items.update({f"{name}_optimizer": opt for name, opt in self.optimizers.items()})
        return items


def make_optimizer(learning_rate, config, variables):
    """Adam (Sec. 5.1) with the config's betas, built on `variables` (needed to restore)."""
    optimizer = keras.optimizers.Adam(learning_rate=float(learning_rate),
                                      beta_1=float(config.train.beta_1),
                                      beta_2=float(config.train.beta_2))
    optimizer.build(variables)
    return optimizer


def _image_shape(config):
    size = int(config.model.image_size)
    return (1, size, size, 3)


def _recurrent_generator(config):
    num_actions = int(config.model.num_actions) if config.method == "rnn_dqn" else 0
    generator = RecurrentGenerator(z_dim=int(config.model.z_dim), num_actions=num_actions,
                                   image_size=int(config.model.image_size), name="generator")
    return generator.build_all()


def _build_recurrent(config):
    return _build_gan_dqn(config, _recurrent_generator(config), Discriminator,
                          lambda n, name: QNetwork(n, name=name))


def _build_gan_dqn(config, generator, make_discriminator, make_q_network):
    """A generator with the paper's G/D/DQN step (training/recurrent_step.py).

    Args:
      config: the training ConfigDict.
      generator: a built generator with `q_network` (None without a DQN), `num_actions`
        and the RecurrentGenerator call signature.
      make_discriminator: (name=...) -> frame -> logit model.
      make_q_network: (num_actions, name) -> the target Q-network, same class as the
        generator's q_network.
    """
    discriminator = make_discriminator(name="discriminator")
    discriminator(tf.zeros(_image_shape(config)))
    networks = {"generator": generator, "discriminator": discriminator}
    optimizers = {
        "generator": make_optimizer(config.train.learning_rate, config,
                                    recurrent_step.generator_variables(generator)),
        "discriminator": make_optimizer(config.train.learning_rate, config,
                                        discriminator.trainable_variables),
    }
    target = None
    if generator.uses_dqn:
        target = make_q_network(generator.num_actions, "target_q_network")
        target(tf.zeros(_image_shape(config)))
        recurrent_step.sync_target_network(generator.q_network, target)
        networks["target_q_network"] = target
        optimizers["q"] = make_optimizer(config.dqn.learning_rate, config,
                                         generator.q_network.trainable_variables)
    train_step = recurrent_step.make_recurrent_train_step(
        generator, discriminator, optimizers, config, target_q_network=target)

    def generate(images, num_frames):
        return generator(images, num_frames=num_frames, training=False)["frames"]

    names = recurrent_step.GAN_METRICS + (recurrent_step.DQN_METRICS if target else ())
    return Method(generator, networks, optimizers, train_step, generate, names)


def _layered_generator(config):
    model = config.model
    generator = LayeredGenerator(z_dim=int(model.z_dim), num_actions=int(model.num_actions),
                                 image_size=int(model.image_size), width=int(model.width),
                                 moving_layer=bool(model.moving_layer),
                                 refine=bool(model.refine), coords=bool(model.coords),
                                 sharp=bool(model.sharp),
                                 transform=bool(model.get("transform", False)),
                                 clock=bool(model.get("clock", False)),
                                 name="generator")
    return generator.build_all()


def _build_layered(config):
    """Ours (not in the paper): LayeredGenerator with small discriminator and Q-network."""
    return _build_gan_dqn(config, _layered_generator(config),
                          lambda name: SmallConvNet(1, name=name),
                          lambda n, name: SmallConvNet(n, name=name))


def _constant_generator(config):
    generator = ConstantBaseline(name="generator")
    generator(tf.zeros(_image_shape(config)))
    return generator


def _build_constant(config):
    generator = _constant_generator(config)
    return Method(generator, {"generator": generator}, {}, None, generator.rollout)


def _mathieu_generator(config):
    generator = MathieuGenerator(name="generator")
    generator(tf.zeros(_image_shape(config)))
    return generator


def _build_mathieu(config):
    """Mathieu et al. 2016 with its own settings (config.mathieu; training/mathieu_step.py)."""
    settings = config.mathieu
    generator = _mathieu_generator(config)
    size = int(settings.patch_size) or int(config.model.image_size)
    discriminator = MathieuDiscriminator(image_size=size, name="discriminator")
    g_opt, d_opt = mathieu_step.make_mathieu_optimizers(settings)
    step_fn = mathieu_step.make_mathieu_train_step(generator, discriminator, g_opt, d_opt,
                                                   settings)  # builds D and the optimizers

    def train_step(batch, step, seed):
        return step_fn(batch, step=step, seed=seed)

    return Method(generator, {"generator": generator, "discriminator": discriminator},
                  {"generator": g_opt, "discriminator": d_opt}, train_step, generator.rollout,
                  MATHIEU_METRICS)


# method name -> (build the generator alone, build the whole method).
_REGISTRY = {
    "rnn": (_recurrent_generator, _build_recurrent),
    "rnn_dqn": (_recurrent_generator, _build_recurrent),
    "constant": (_constant_generator, _build_constant),
    "mathieu": (_mathieu_generator, _build_mathieu),
    "layered": (_layered_generator, _build_layered),
}


def _lookup(config):
    if config.method not in _REGISTRY:
        raise ValueError(f"config.method = {config.method!r}: no such training method; "
                         f"known: {sorted(_REGISTRY)}")
    return _REGISTRY[config.method]


def build_generator(config):
    """The method's generator alone, built eagerly (for restoring and inference)."""
    return _lookup(config)[0](config)


def build_method(config):
    """Builds the networks, optimizers, train step and generate function of config.method.

    Set the Keras dtype policy (mixed precision) before calling this.
    """
    return _lookup(config)[1](config)
