"""Experiment configs and the runner that reproduces the paper's tables."""
