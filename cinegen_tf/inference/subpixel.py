"""The decoder's 5x5 stride-2 transposed convolutions as sub-pixel convolutions.

A "same"-padded transposed convolution with a 5x5 kernel and stride 2 maps an H x W map
to 2H x 2W. Output pixel (2i + p, 2j + q) depends on the inputs (i + d, j + e), d, e in
{-1, 0, 1}, through kernel tap TAPS[p][d + 1] x TAPS[q][e + 1] (None: no tap). So the
layer equals one 3x3 "same" convolution to 4 * C_out channels, one group per output
parity (p, q), followed by depth_to_space(2) (Shi et al. 2016). Same arithmetic, exact
to float rounding; but a plain convolution with a constant kernel is what oneDNN runs
fastest (its transposed-convolution path re-lays out its kernel on every call).
"""
import numpy as np
import tensorflow as tf

# TAPS[parity][offset + 1]: the 5x5 kernel row (or column) joining an output pixel of
# that parity to the input at that offset; found by probing tf.nn.conv2d_transpose.
TAPS = ((3, 1, None), (4, 2, 0))


def subpixel_kernel(kernel):
    """Keras Conv2DTranspose kernel (5, 5, C_out, C_in) -> conv kernel (3, 3, C_in, 4 C_out).

    Output channel (2 p + q) * C_out + c of the result is channel c at parity (p, q).
    """
    kernel = np.asarray(kernel)
    if kernel.shape[:2] != (5, 5):
        raise ValueError(f"expected a 5x5 transposed-conv kernel, got shape {kernel.shape}")
    _, _, c_out, c_in = kernel.shape
    out = np.zeros((3, 3, c_in, 2, 2, c_out), kernel.dtype)
    for p in range(2):
        for q in range(2):
            for d in range(3):
                for e in range(3):
                    ty, tx = TAPS[p][d], TAPS[q][e]
                    if ty is not None and tx is not None:
                        out[d, e, :, p, q, :] = kernel[ty, tx].T
    return out.reshape(3, 3, c_in, 4 * c_out)


def transposed_conv(x, kernel, bias):
    """x float (B, H, W, C_in), `subpixel_kernel` output, bias (C_out,) -> (B, 2H, 2W, C_out)."""
    return tf.nn.depth_to_space(tf.nn.conv2d(x, kernel, 1, "SAME"), 2) + bias
