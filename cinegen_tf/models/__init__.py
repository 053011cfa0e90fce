"""Keras subclassed models of Image2GIF (Sec. 3.1, 3.2, 5.1) and its baselines."""
