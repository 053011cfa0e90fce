"""The numbers the paper published in Tables 1-5 (Zhou, Song, Berg, WACV 2018), as printed.

Keys follow experiments/tables.py: patterns i, o, l, eight, rotate, scale; real categories
water_flowing, fire; methods mathieu, rnn, rnn_dqn, constant. Values are (PSNR dB, SSIM)
except Table 4 (mean centre distance in pixels). Copied digit for digit from the paper's
text (../shared/paper/image2gif_wacv2018.txt); nothing here is computed.
"""

# The paper's training budget (Sec. 5): iterations per kind of data, and its batch size.
STEPS = {"synthetic": 6000, "real": 13500}
BATCH = 64

# Table 1: PSNR and SSIM on synthetic data (Sec. 5.2), 6K iterations, batch 64.
TABLE1 = {
    "mathieu": {"i": (19.9801, 0.7917), "o": (21.1132, 0.8134), "l": (9.9721, 0.0631),
                "eight": (19.9538, 0.8004), "rotate": (20.7091, 0.7820),
                "scale": (14.4876, 0.4502)},
    "rnn": {"i": (24.2417, 0.8652), "o": (26.4261, 0.8879), "l": (27.2542, 0.8641),
            "eight": (26.5649, 0.8861), "rotate": (27.2592, 0.9101), "scale": (25.2220, 0.7611)},
    "rnn_dqn": {"i": (25.4979, 0.8672), "o": (27.9527, 0.9210), "l": (27.3036, 0.8782),
                "eight": (27.5839, 0.9161), "rotate": (27.3559, 0.9115),
                "scale": (25.5889, 0.7483)},
}

# Table 2: PSNR and SSIM on the real (Giphy) cinemagraphs (Sec. 5.3), 13.5K iterations.
TABLE2 = {
    "mathieu": {"water_flowing": (18.2375, 0.4280), "fire": (18.2191, 0.3784)},
    "rnn": {"water_flowing": (18.4333, 0.4420), "fire": (19.4841, 0.4831)},
    "rnn_dqn": {"water_flowing": (19.4192, 0.5053), "fire": (20.2682, 0.4976)},
}

# Table 3: PSNR/SSIM on frame differences (Sec. 5.4); "synthetic_average" and
# "real_average" are the paper's own "Average" columns (over all 6 patterns / 2 categories).
TABLE3 = {
    "constant": {"i": (27.1174, 0.5541), "o": (27.9468, 0.6270), "l": (26.7426, 0.6097),
                 "eight": (28.9732, 0.6361), "rotate": (29.4275, 0.5893),
                 "scale": (31.0325, 0.6459), "synthetic_average": (28.5400, 0.6104),
                 "water_flowing": (29.3681, 0.5768), "fire": (28.7743, 0.5434),
                 "real_average": (29.0712, 0.5601)},
    "rnn_dqn": {"i": (27.9192, 0.5576), "o": (31.0523, 0.6868), "l": (27.4687, 0.6167),
                "eight": (31.7454, 0.6941), "rotate": (30.5351, 0.6186),
                "scale": (30.5754, 0.6081), "synthetic_average": (29.8827, 0.6303),
                "water_flowing": (29.4949, 0.5873), "fire": (29.4030, 0.5565),
                "real_average": (29.4490, 0.5719)},
}

# Table 4: mean Euclidean distance (pixels) between foreground-object centres (Sec. 5.5).
TABLE4 = {
    "rnn": {"i": 2.9278, "o": 2.2839, "l": 2.6734, "eight": 2.4735, "rotate": 2.0150,
            "scale": 2.3675},
    "rnn_dqn": {"i": 2.6440, "o": 2.1125, "l": 2.6285, "eight": 2.3181, "rotate": 1.9931,
                "scale": 2.1842},
}

# Table 5: average PSNR / SSIM of RNN+DQN with |z| and |Q| in {4, default, 2048} (Sec. 5.6);
# "synthetic" averages the 6 patterns, "real" the 2 categories. Default: 64 / 512.
TABLE5 = {
    "original": {"synthetic": (26.8805, 0.8737), "real": (19.8437, 0.5015)},
    "small_z": {"synthetic": (21.3788, 0.7794), "real": (13.7626, 0.1364)},
    "large_z": {"synthetic": (26.2362, 0.8670), "real": (18.4141, 0.4111)},
    "small_q": {"synthetic": (25.8371, 0.8556), "real": (17.9049, 0.3974)},
    "large_q": {"synthetic": (26.1532, 0.8585), "real": (19.6085, 0.4885)},
}

TABLES = {1: TABLE1, 2: TABLE2, 3: TABLE3, 4: TABLE4, 5: TABLE5}

# Table 6: the human study on the real data (Sec. 5.7), percentages as printed.
# "preference": how often people picked a method's cinemagraph as the best of the three
# (Mathieu et al., RNN, RNN+DQN from one still); "realism": how often a method's
# cinemagraph, shown alone, was taken for a real one. Not in TABLES: its cells are
# people's votes, not a training run's metrics (experiments/table6.py reports it).
TABLE6 = {
    "preference": {"mathieu": {"water_flowing": 30.00, "fire": 26.42},
                   "rnn": {"water_flowing": 32.86, "fire": 35.84},
                   "rnn_dqn": {"water_flowing": 37.14, "fire": 37.74}},
    "realism": {"mathieu": {"water_flowing": 11.43, "fire": 20.75},
                "rnn": {"water_flowing": 27.86, "fire": 26.41},
                "rnn_dqn": {"water_flowing": 35.00, "fire": 33.96}},
}
