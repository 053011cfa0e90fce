"""The GAN (+DQN) training loop: compiled steps, checkpoints, TensorBoard summaries."""
