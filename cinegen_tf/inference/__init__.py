"""Inference: a still photo -> looping cinemagraph frames -> GIF / MP4 / WebP.

The public entry points are `cinegen_tf.cinemagraph` (Python) and the binaries
`cinegen_tf.generate` and `cinegen_tf.export`. Modules here, in pipeline order:

  image_io      read photos and masks (any format, mode, size; EXIF orientation)
  resampling    photo <-> model-square resizing as small matrices (area / bilinear)
  looping       seamless loops: ping-pong, crossfade
  compositing   motion mask at model resolution, full-resolution compositing (XLA)
  pipeline      CinemagraphModule: one tf.function from uint8 photo to uint8 frames,
                shared by the Python API and the exported SavedModel
  writers       GIF / MP4 / WebP, written atomically
  generate_lib  files and folders in, files out (what `cinegen_tf.generate` runs)
  export_lib    SavedModel export (what `cinegen_tf.export` runs)
"""
