"""What every binary shares: a quiet TensorFlow start-up, and a user's mistake as one line.

    from cinegen_tf import cli   # before anything that imports TensorFlow
    ...
    def main():
        cli.run(_main)

`run(main)` is `absl.app.run(main)` plus:

- a flag error (unknown flag, bad value, missing required flag, a `--config` file that
  is missing or whose `get_config` refuses its argument, an override of a field the
  config does not have) ends as one line `error: ...` on stderr, exit status 2;
- a user's mistake raised by `main` ends as one line `error: ...`, exit status 1:
  `UserError`, `app.UsageError`, ValueError, OSError, a non-finite training loss
  (FloatingPointError) and TensorFlow's NotFound / DataLoss / PermissionDenied errors;
- `--verbose` (or the environment variable CINEGEN_VERBOSE=1) keeps the traceback of
  such an error and TensorFlow's start-up log;
- anything else (a bug) keeps its traceback.

The line is the error's first paragraph: a message may go on, after a blank line, with
instructions (the real_cinemagraphs builder's), which `--verbose` shows.
`install_excepthook()` gives the same one line to a `UserError` that ends a program this
package does not run, such as `tfds build` of our dataset builders.

TensorFlow prints its start-up lines (oneDNN, CUDA probing, cpu_feature_guard) from C++
before absl's logging is initialised, so no log level hides them: `quiet_tensorflow()`
imports TensorFlow and probes its devices with file descriptor 2 pointed at /dev/null,
and TF_CPP_MIN_LOG_LEVEL=3 hides its later C++ lines (its errors reach us as Python
exceptions; a CUDA probe can log an ERROR line at the first op). oneDNN stays on.
Binaries import TensorFlow only after their flags are parsed where that is cheap, so a
flag error costs no TensorFlow start-up.
"""
import contextlib
import os
import re
import sys

from absl import app
from absl import flags

VERBOSE_ENV = "CINEGEN_VERBOSE"


class UserError(Exception):
    """A mistake in what the user asked for; the message is one line naming it."""


def one_line(error):
    """The first paragraph of an exception's message as one line (else its type's name)."""
    text = str(error).strip().split("\n\n", 1)[0]
    return " ".join(text.split()) or type(error).__name__


def _verbose_requested():
    if os.environ.get(VERBOSE_ENV, "").lower() in ("1", "true", "yes"):
        return True
    return any(arg in ("--verbose", "--verbose=true", "--verbose=True", "--verbose=1")
               for arg in sys.argv[1:])


# 3: TensorFlow's C++ INFO, WARNING and ERROR lines stay quiet (its errors reach us as
# Python exceptions); a CUDA probe's ERROR line can come at the first op, after start-up.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if _verbose_requested() else "3")


def install_excepthook():
    """Makes an uncaught `UserError` end the program with one line (exit status 1).

    For programs this package does not run itself (`tfds build` of our builders):
    other exceptions, and every one under CINEGEN_VERBOSE=1, keep their traceback.
    """
    previous = sys.excepthook
    if getattr(previous, "_cinegen_one_line", False):
        return

    def hook(kind, error, traceback):
        if isinstance(error, UserError) and not _verbose_requested():
            print(f"error: {one_line(error)} (CINEGEN_VERBOSE=1 shows the traceback "
                  f"and more)", file=sys.stderr)
        else:
            previous(kind, error, traceback)

    hook._cinegen_one_line = True
    sys.excepthook = hook


@contextlib.contextmanager
def _stderr_silenced(enabled=True):
    """Points file descriptor 2 (C++ and Python stderr alike) at /dev/null."""
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_DEVICES_PROBED = []


def quiet_tensorflow():
    """Imports TensorFlow and probes its devices (once) without their C++ start-up lines.

    A --config file may have imported TensorFlow already (silenced, while the flags were
    parsed); the device probe, whose CUDA errors come at the first op, is still done here.
    """
    with _stderr_silenced(not _verbose_requested() and not _DEVICES_PROBED):
        import tensorflow as tf  # pylint: disable=import-outside-toplevel
        if not _DEVICES_PROBED:
            tf.config.list_physical_devices()  # the CUDA probe logs here
            _DEVICES_PROBED.append(True)
    return tf


def _user_error_types():
    types = [UserError, app.UsageError, ValueError, OSError, FloatingPointError]
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        types += [tf.errors.NotFoundError, tf.errors.DataLossError,
                  tf.errors.PermissionDeniedError]
    return tuple(types)


def _fail(message, status):
    print(f"error: {message}", file=sys.stderr)
    sys.stderr.flush()
    sys.exit(status)


def _override_args(argv):
    return [a for a in argv[1:] if a.startswith("--config.") or a.startswith("--config_")]


def _flag_error_message(error, argv):
    """One line for an error raised while absl parses the flags."""
    text = str(error).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if "Traceback" in text:
        # config_flags puts the traceback of get_config() into the message: keep the
        # flag and the exception's own last line.
        flag = lines[0].split(": Error whilst parsing", 1)[0].removeprefix("flag ")
        return f"{flag}: {re.sub(r'^[A-Za-z_.]*(Error|Exception): ', '', lines[-1])}"
    if isinstance(error, (AttributeError, KeyError)):
        key = one_line(error).strip("\"'")
        culprits = [a for a in _override_args(argv) if key in a.split("=", 1)[0].split(".")]
        if culprits:
            field = culprits[0].split("=", 1)[0].removeprefix("--config.")
            return f"{culprits[0]}: the config has no field {field}"
        return f"{', '.join(_override_args(argv)) or '--config'}: the config has no field {key}"
    return " ".join(lines) or type(error).__name__


def _parse_flags(argv):
    """absl's flag parsing, with every failure as one line and exit status 2."""
    verbose = _verbose_requested()
    try:
        # A --config file may import TensorFlow: keep its start-up lines out.
        with _stderr_silenced(not verbose):
            return flags.FLAGS(argv)
    except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as error:
        if verbose:
            raise
        _fail(_flag_error_message(error, argv), 2)


def config_value(holder):
    """The ConfigDict of a `config_flags.DEFINE_config_file` flag.

    Raises:
      UserError naming the flag and the file when the file could not be loaded (the
      flag library defers that error to the config's first use).
    """
    from ml_collections import config_flags  # pylint: disable=import-outside-toplevel

    config = holder.value
    if config is None:
        return None
    try:
        config.keys()
    except OSError as error:
        path = config_flags.get_config_filename(flags.FLAGS[holder.name])
        cause = error.__cause__ or error
        reason = one_line(cause).split("Attempted")[-1]
        if "No such file" in reason or "not found" in reason.lower():
            reason = "no such file"
        raise UserError(f"--{holder.name}={path}: {reason}") from error
    return config


def run(main, tensorflow=True):
    """`absl.app.run(main)`: flag errors and a user's mistakes as one line (see above).

    `tensorflow=False` for a binary that may not need it (generate with the motion
    model): it then calls `quiet_tensorflow()` itself when it does.
    """

    def wrapped(argv):
        if tensorflow:
            quiet_tensorflow()
        try:
            if len(argv) > 1:
                raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
            return main(argv)
        except _user_error_types() as error:
            if flags.FLAGS.verbose or _verbose_requested():
                raise
            _fail(one_line(error), 2 if isinstance(error, app.UsageError) else 1)

    if "verbose" not in flags.FLAGS:  # defined here: importing this module defines no flag
        flags.DEFINE_bool("verbose", False, "On an error, show the Python traceback and "
                          "TensorFlow's start-up log instead of one line (also "
                          f"{VERBOSE_ENV}=1).")
    app.run(wrapped, flags_parser=_parse_flags)
