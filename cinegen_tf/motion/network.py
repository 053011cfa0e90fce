"""MotionNet: a photo -> per-pixel motion fields (ours, not in the paper).

A small U-Net (4 scales, 3x3 convolutions, ReLU, 2x2 average pooling down, nearest
upsampling and skip concatenation up; 0.47M weights). The same weights run two ways:
`MotionNet`, a Keras model for training, and `numpy_forward`, plain NumPy for inference,
so a photo becomes a cinemagraph without importing TensorFlow (import alone costs
5-8 s and 0.6 GB here). `tests/motion_test.py` checks that both agree.

    photo uint8 (h, w, 3), 160 px wide --> head (h, w, 7): moving logit, a direction
    (2, normalised), speed, sway (2), flicker --> fields float32 (h, w, 6):
      [0]    moving logit          (sigmoid: the chance that the pixel moves)
      [1:3]  velocity (x, y)       px/s at 160 px wide, the steady flow
      [3:5]  sway (x, y) >= 0      px/s, RMS of the back-and-forth around it
      [5]    flicker >= 0          grey levels/s of appearance change
"""
import numpy as np

WIDTHS = (16, 32, 64, 128)     # channels per scale
MULTIPLE = 2 ** (len(WIDTHS) - 1)
OUTPUTS = 7
# Output units: the network's raw numbers times these (targets span ~0-200 px/s).
VELOCITY_SCALE = 20.0
SWAY_SCALE = 20.0
FLICKER_SCALE = 50.0


def reference_shapes():
    """{name: (kernel shape, bias shape)} of every convolution."""
    shapes, c_in = {}, 3
    for i, width in enumerate(WIDTHS):
        shapes[f"down{i}_a"] = ((3, 3, c_in, width), (width,))
        shapes[f"down{i}_b"] = ((3, 3, width, width), (width,))
        c_in = width
    for i in reversed(range(len(WIDTHS) - 1)):
        shapes[f"up{i}_a"] = ((3, 3, c_in + WIDTHS[i], WIDTHS[i]), (WIDTHS[i],))
        shapes[f"up{i}_b"] = ((3, 3, WIDTHS[i], WIDTHS[i]), (WIDTHS[i],))
        c_in = WIDTHS[i]
    shapes["head"] = ((1, 1, c_in, OUTPUTS), (OUTPUTS,))
    return shapes


def pad_input(photo):
    """uint8 (h, w, 3) -> float32 (1, H, W, 3) in [-1, 1], H and W padded (reflect) up to
    multiples of MULTIPLE; returns it and (h, w) to crop the output back to."""
    h, w = photo.shape[:2]
    ph, pw = -h % MULTIPLE, -w % MULTIPLE
    x = np.pad(np.asarray(photo, np.float32) / 127.5 - 1.0, ((0, ph), (0, pw), (0, 0)),
               mode="reflect" if min(h, w) > max(ph, pw) else "edge")
    return x[None], (h, w)


def activate(raw):
    """Raw head outputs (..., 7) -> fields (..., 6) in the units of the module docstring.

    The velocity is a unit direction times a speed, so a pixel whose direction the photo
    leaves uncertain still moves at its speed along the likeliest direction (a plain
    regression of the vector would shrink it towards zero).
    """
    softplus = lambda v: np.logaddexp(0.0, v)  # noqa: E731
    direction = raw[..., 1:3] / np.maximum(np.linalg.norm(raw[..., 1:3], axis=-1,
                                                          keepdims=True), 1e-6)
    return np.concatenate([raw[..., :1],
                           direction * softplus(raw[..., 3:4]) * VELOCITY_SCALE,
                           softplus(raw[..., 4:6]) * SWAY_SCALE,
                           softplus(raw[..., 6:7]) * FLICKER_SCALE], -1).astype(np.float32)


# ---------------------------------------------------------------- NumPy inference

def _conv(x, kernel, bias):
    """'same' convolution of x (H, W, Cin) with kernel (k, k, Cin, Cout) as one matmul."""
    k = kernel.shape[0]
    if k == 1:
        return x @ kernel[0, 0] + bias
    p = k // 2
    padded = np.pad(x, ((p, p), (p, p), (0, 0)))
    patches = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(0, 1))
    h, w, c = x.shape  # patches: (H, W, Cin, k, k) -> (H*W, k*k*Cin) in kernel order
    cols = np.ascontiguousarray(patches.transpose(0, 1, 3, 4, 2)).reshape(h * w, k * k * c)
    return (cols @ kernel.reshape(-1, kernel.shape[-1])).reshape(h, w, -1) + bias


def numpy_forward(weights, photo):
    """Fields of a photo with weights {name: (kernel, bias)}, in NumPy (no TensorFlow).

    Args:
      weights: dict name -> (kernel float32 (k, k, Cin, Cout), bias float32 (Cout,)).
      photo: uint8 (h, w, 3), ideally 160 px wide (the scale the model learned).

    Returns:
      float32 (h, w, 6) fields (module docstring).
    """
    x, (h, w) = pad_input(photo)
    x = x[0]
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    skips = []
    for i in range(len(WIDTHS)):
        if i:
            x = x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2, -1).mean((1, 3))
        x = relu(_conv(x, *weights[f"down{i}_a"]))
        x = relu(_conv(x, *weights[f"down{i}_b"]))
        skips.append(x)
    for i in reversed(range(len(WIDTHS) - 1)):
        x = np.concatenate([x.repeat(2, 0).repeat(2, 1), skips[i]], -1)
        x = relu(_conv(x, *weights[f"up{i}_a"]))
        x = relu(_conv(x, *weights[f"up{i}_b"]))
    return activate(_conv(x, *weights["head"])[:h, :w])


# ---------------------------------------------------------------- Keras training model

def keras_model():
    """A `MotionNet` (Keras 3, subclassed); TensorFlow is imported here, not at import."""
    import keras  # pylint: disable=import-outside-toplevel

    class MotionNet(keras.Model):
        """(B, H, W, 3) in [-1, 1], H, W multiples of 8 -> raw head outputs (B, H, W, 7)."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            conv = lambda name, width, k=3, act="relu": keras.layers.Conv2D(  # noqa: E731
                width, k, padding="same", activation=act, name=name)
            self.convs = {}
            for i, width in enumerate(WIDTHS):
                self.convs[f"down{i}_a"] = conv(f"down{i}_a", width)
                self.convs[f"down{i}_b"] = conv(f"down{i}_b", width)
            for i in reversed(range(len(WIDTHS) - 1)):
                self.convs[f"up{i}_a"] = conv(f"up{i}_a", WIDTHS[i])
                self.convs[f"up{i}_b"] = conv(f"up{i}_b", WIDTHS[i])
            self.convs["head"] = conv("head", OUTPUTS, 1, None)
            self.pool = keras.layers.AveragePooling2D(2)
            self.up = keras.layers.UpSampling2D(2)

        def call(self, x):
            skips = []
            for i in range(len(WIDTHS)):
                if i:
                    x = self.pool(x)
                x = self.convs[f"down{i}_b"](self.convs[f"down{i}_a"](x))
                skips.append(x)
            for i in reversed(range(len(WIDTHS) - 1)):
                x = keras.ops.concatenate([self.up(x), skips[i]], -1)
                x = self.convs[f"up{i}_b"](self.convs[f"up{i}_a"](x))
            return self.convs["head"](x)

        def numpy_weights(self):
            """{name: (kernel, bias)} as float32 NumPy arrays, for `numpy_forward`."""
            return {name: tuple(np.asarray(v, np.float32) for v in layer.get_weights())
                    for name, layer in self.convs.items()}

    model = MotionNet()
    model(np.zeros((1, MULTIPLE * 2, MULTIPLE * 2, 3), np.float32))  # build
    return model
