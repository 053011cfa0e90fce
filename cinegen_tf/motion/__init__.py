"""Our real-photo motion model (not in the paper): what in a photo moves, and how.

Learned from real water and fire clips, rendered at the photo's full resolution as a
seamless loop, with NumPy and OpenCV only at inference. In pipeline order:

  targets    a clip's one-second window -> per-pixel motion statistics (optical flow)
  prepared   the real clips' train split -> windows -> targets, cached once
  network    MotionNet: photo -> fields (moving, velocity, sway, flicker); Keras + NumPy
  training   regression of the fields on the targets (cinegen_tf.train_motion runs it)
  render     fields -> displacements (Eulerian + oscillation) -> frames at full size
  model      a weights file as a product: load, check, animate (the bundled one ships
             in weights/, described by MODEL_CARD.md)
"""
