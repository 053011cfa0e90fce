"""Mixed precision: Keras' "mixed_bfloat16" pays only where the hardware runs bfloat16 natively.

Measured with TF 2.21 on three 2-core AMD EPYC machines:

- with AMX: the paper's RNN+DQN training step (batch 64) ran at 123 generated frames/s
  in mixed_bfloat16 against 72 in float32 (benchmarks/train_benchmark.py);
- with AVX512-BF16, no AMX: at batch 16, 72.2 generated frames/s in mixed_bfloat16
  against 47.3 in float32, peak 2376 vs 2194 MB (`benchmarks/train_benchmark.py
  --methods=rnn_dqn --batch_size=16 --steps=3`);
- with AVX2 only (no AVX-512): one 5x5 convolution, 16x32x32x128 -> 256, took the same time
  forward in both (153 vs 165 ms) but 11.5x longer forward + backward in bfloat16 (4788
  vs 417 ms): TensorFlow's CPU bfloat16 convolution gradients have no fast kernels there.
  The RNN+DQN training step at batch 16 took 17.3 s in float32 and 174.6 s in bfloat16
  (`benchmarks/train_benchmark.py --methods=rnn_dqn --batch_size=16`): 10.1x slower.

So configs that want speed ask for `native_bfloat16()` rather than a fixed True, and a
run that asks for bfloat16 on other hardware is warned.
"""
import functools
import os
import platform

from absl import logging
import tensorflow as tf

# /proc/cpuinfo flags of x86 CPUs with bfloat16 arithmetic (AVX512-BF16, AMX-BF16).
NATIVE_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
CPUINFO = "/proc/cpuinfo"


def cpuinfo_field(names, path=None):
    """The value of the first line of `path` (default CPUINFO) that starts with one of
    `names` (a tuple of str), stripped; None where there is none or it cannot be read."""
    try:
        with open(path or CPUINFO) as f:
            for line in f:
                if line.startswith(names):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_flags(path=None):
    """The CPU feature flags listed in `path` (default CPUINFO): a set of str, empty where
    it cannot be read (e.g. not Linux)."""
    return set((cpuinfo_field(("flags", "Features"), path) or "").split())


# The flags that decide how fast a CPU trains these models, widest last.
SPEED_CPU_FLAGS = ("avx2", "avx512f") + NATIVE_CPU_FLAGS


def cpu_line():
    """One line naming this CPU, its speed flags and cores, e.g. "AMD EPYC (avx2), 2 cores"."""
    name = cpuinfo_field(("model name",)) or platform.machine()
    return f"{name} ({', '.join(speed_flags()) or 'no avx'}), {os.cpu_count()} cores"


def speed_flags(path=None):
    """The SPEED_CPU_FLAGS this CPU has, in that order: a list of str. Two machines with the
    same model name ("AMD EPYC") may differ here, and train at very different speeds."""
    flags = cpu_flags(path)
    return [flag for flag in SPEED_CPU_FLAGS if flag in flags]


def _gpu_has_bfloat16():
    """Whether a visible GPU has bfloat16 tensor cores (compute capability >= 8.0)."""
    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability and tuple(capability) >= (8, 0):
            return True
    return False


@functools.lru_cache(maxsize=None)
def native_bfloat16():
    """True where mixed_bfloat16 training is fast: a bfloat16 GPU, or a CPU with AVX512-BF16
    or AMX-BF16. False elsewhere (e.g. AVX2-only CPUs, where it is ~10x slower)."""
    return _gpu_has_bfloat16() or bool(cpu_flags() & set(NATIVE_CPU_FLAGS))


def label(mixed_precision):
    """How a config's `train.mixed_precision` reads in a result file: "bfloat16" (True),
    "float32" (False), or the repr of anything else (e.g. a missing record's None)."""
    return {True: "bfloat16", False: "float32"}.get(mixed_precision, repr(mixed_precision))


def policy(mixed_precision):
    """The Keras dtype policy name for a config's `train.mixed_precision` (bool).

    Warns when bfloat16 is asked for on hardware without native bfloat16.
    """
    if not mixed_precision:
        return "float32"
    if not native_bfloat16():
        logging.warning(
            "train.mixed_precision = True, but this machine has no bfloat16 GPU and its CPU "
            "lacks %s: bfloat16 convolution gradients run ~10x slower than float32 here. "
            "Set train.mixed_precision = False (or precision.native_bfloat16()).",
            " / ".join(NATIVE_CPU_FLAGS))
    return "mixed_bfloat16"
