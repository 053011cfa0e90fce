"""Data: the synthetic renderer (Sec. 4.1), real-clip decoding and sampling (Sec. 4.2),
and the tf.data pipelines that feed training and evaluation."""
