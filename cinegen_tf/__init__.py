"""cinegen_tf: a TensorFlow/Keras reproduction of Image2GIF (Zhou, Song, Berg, WACV 2018).

Generating cinemagraphs from a single still image with a recurrent generator (RNN)
and a recurrent generator steered by a deep Q-network (RNN+DQN).
"""

__version__ = "0.1.0"
