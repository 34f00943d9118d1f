"""Augmentation that makes MNIST look like the many ways people draw on a canvas (TensorFlow ops, batched).

For a batch x: (B, 28, 28, 1) float32 in [0, 1], ink = 1:
- stroke width: some digits get thicker ink (3x3 grey dilation), some thinner (half-blend with 2x2 erosion);
- a random affine map about the centre: rotation, scale (with a little aspect change), shear and shift;
- elastic distortion: a smooth random displacement field (Simard et al., 2003), applied as a bilinear warp.
`strength` scales every range (0 = identity, 1 = the defaults below).
"""
from __future__ import annotations

import math

import tensorflow as tf

P_THICK = 0.25
P_THIN = 0.15
MAX_ROTATION_DEG = 15.0
SCALE_RANGE = (0.8, 1.15)
MAX_ASPECT = 0.12
MAX_SHEAR = 0.3
MAX_SHIFT_PX = 2.5
ELASTIC_ALPHA_PX = 1.6  # displacement size in pixels
ELASTIC_SIGMA_PX = 4.0  # smoothness of the displacement field
P_ELASTIC = 0.5
SIZE = 28


def stroke_width(x, strength=1.0):
    b = tf.shape(x)[0]
    u = tf.random.uniform([b, 1, 1, 1])
    thick = tf.nn.max_pool2d(x, 3, 1, "SAME")
    thin = 0.5 * x - 0.5 * tf.nn.max_pool2d(-x, 2, 1, "SAME")
    thin = thin / (tf.reduce_max(thin, axis=[1, 2, 3], keepdims=True) + 1e-6)  # thinner, not fainter
    x = tf.where(u < P_THICK * strength, thick, x)
    return tf.where(u > 1.0 - P_THIN * strength, thin, x)


def _uniform(b, half_range, strength):
    return tf.random.uniform([b], -half_range * strength, half_range * strength)


def affine(x, strength=1.0):
    """Random rotation/scale/shear/shift about the image centre, bilinear, zero fill."""
    b = tf.shape(x)[0]
    angle = _uniform(b, math.radians(MAX_ROTATION_DEG), strength)
    low, high = SCALE_RANGE
    scale = 1.0 + tf.random.uniform([b], (low - 1.0) * strength, (high - 1.0) * strength)
    aspect = 1.0 + _uniform(b, MAX_ASPECT, strength)
    shear = _uniform(b, MAX_SHEAR, strength)
    tx, ty = _uniform(b, MAX_SHIFT_PX, strength), _uniform(b, MAX_SHIFT_PX, strength)
    cos, sin = tf.cos(angle), tf.sin(angle)
    sx, sy = scale * aspect, scale / aspect
    # Forward map M = R @ Shear @ S, applied about the centre c, then shifted by t.
    m00, m01 = cos * sx, (cos * shear - sin) * sy
    m10, m11 = sin * sx, (sin * shear + cos) * sy
    det = m00 * m11 - m01 * m10
    i00, i01, i10, i11 = m11 / det, -m01 / det, -m10 / det, m00 / det
    c = (SIZE - 1) / 2.0
    # The op wants the inverse: input = M^-1 (output - c - t) + c.
    ox = c - (i00 * (c + tx) + i01 * (c + ty))
    oy = c - (i10 * (c + tx) + i11 * (c + ty))
    zeros = tf.zeros([b])
    transforms = tf.stack([i00, i01, ox, i10, i11, oy, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=x, transforms=transforms, output_shape=[SIZE, SIZE], fill_value=0.0,
        interpolation="BILINEAR", fill_mode="CONSTANT")


def _gaussian_kernel(sigma):
    radius = int(3 * sigma)
    t = tf.range(-radius, radius + 1, dtype=tf.float32)
    g = tf.exp(-(t ** 2) / (2 * sigma ** 2))
    g = g / tf.reduce_sum(g)
    return tf.reshape(g, [-1, 1, 1, 1]), tf.reshape(g, [1, -1, 1, 1])


def elastic(x, strength=1.0):
    """Warp by a smoothed random displacement field; half the batch is left as is."""
    b = tf.shape(x)[0]
    field = tf.random.uniform([b, SIZE, SIZE, 2], -1.0, 1.0)
    gy, gx = _gaussian_kernel(ELASTIC_SIGMA_PX)
    field = tf.concat([
        tf.nn.conv2d(tf.nn.conv2d(field[..., i:i + 1], gy, 1, "SAME"), gx, 1, "SAME") for i in range(2)], axis=-1)
    field = field / (tf.reduce_max(tf.abs(field), axis=[1, 2, 3], keepdims=True) + 1e-6)
    keep = tf.cast(tf.random.uniform([b, 1, 1, 1]) < P_ELASTIC * strength, tf.float32)
    field = field * ELASTIC_ALPHA_PX * strength * keep
    grid_y, grid_x = tf.meshgrid(tf.range(SIZE, dtype=tf.float32), tf.range(SIZE, dtype=tf.float32), indexing="ij")
    src_y = tf.clip_by_value(grid_y[None] + field[..., 0], 0.0, SIZE - 1.0)
    src_x = tf.clip_by_value(grid_x[None] + field[..., 1], 0.0, SIZE - 1.0)
    return _bilinear(x[..., 0], src_y, src_x)[..., None]


def _bilinear(images, ys, xs):
    """Sample images (B, H, W) at float coordinates ys, xs (B, H, W)."""
    y0, x0 = tf.floor(ys), tf.floor(xs)
    wy, wx = ys - y0, xs - x0
    y0, x0 = tf.cast(y0, tf.int32), tf.cast(x0, tf.int32)
    y1, x1 = tf.minimum(y0 + 1, SIZE - 1), tf.minimum(x0 + 1, SIZE - 1)
    batch = tf.broadcast_to(tf.range(tf.shape(images)[0])[:, None, None], tf.shape(y0))

    def at(y, x):
        return tf.gather_nd(images, tf.stack([batch, y, x], axis=-1))

    top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
    bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
    return top * (1 - wy) + bottom * wy


def augment(x, strength=1.0):
    """x: (B, 28, 28, 1) float32 in [0, 1] -> the same shape, randomly redrawn."""
    x = stroke_width(x, strength)
    x = elastic(x, strength)
    x = affine(x, strength)
    return tf.clip_by_value(x, 0.0, 1.0)
