"""Install cinegen_tf and its TFDS dataset builders.

The repo folder `datasets/` is installed as the package `cinegen_datasets`, so it never
shadows the popular top-level `datasets` library.
"""
import setuptools

INSTALL_REQUIRES = [
    "tensorflow>=2.16,<2.22",
    "keras>=3.5,<4",
    "tensorflow-datasets>=4.9.6,<5",
    # The TF 2.21 wheel no longer pulls in tensorboard; tf.summary needs it.
    "tensorboard>=2.16,<3",
    "numpy>=1.26,<3",
    "imageio>=2.34,<3",
    # PyAV: imageio's video plugin without an ffmpeg binary.
    "av>=12,<20",
    "scikit-image>=0.22,<0.27",
    "absl-py>=2.0,<3",
    # ConfigDict + config_flags: configs are code, overridable as --config.x=...
    "ml-collections>=0.1.1,<2",
    "pillow>=10,<14",
    # Centre distance (Table 4): float32 FFT template matching; scikit-image needs it anyway.
    "scipy>=1.11,<2",
    # Progress bar of folder-mode generation (tensorflow-datasets depends on it too).
    "tqdm>=4.60,<5",
    # The human study's web app (cinegen_tf/study, Table 6): routing, sessions, templates.
    "flask>=3,<4",
    # The motion model's renderer (cinegen_tf/motion/render.py): remap of 1080p frames in
    # ~5 ms, where scipy's map_coordinates takes ~50x longer; the headless build has no GUI.
    "opencv-python-headless>=4.8,<6",
]

# `tfds build` (the README's data commands) needs these beyond tensorflow-datasets. An
# extra, not install_requires: apache-beam brings ~20 packages (pyarrow, grpcio, ...) and
# pins protobuf, while training, evaluation and generation never need them (training
# renders the synthetic data on the fly).
DATA_REQUIRE = [
    "apache-beam>=2.55,<3",
    "mlcroissant>=1.0,<2",
    "dill>=0.3.8",
    "importlib_resources>=6",
]

EXTRAS_REQUIRE = {
    "data": DATA_REQUIRE,
    "dev": [
        "pytest>=8,<10",
        # tfds.testing and the builder tests need the data extra.
        *DATA_REQUIRE,
        # The study's end-to-end test drives the system Chromium (apt: chromium,
        # chromium-driver) as a participant would.
        "selenium>=4.20,<5",
    ],
}

setuptools.setup(
    name="cinegen_tf",
    version="0.1.0",
    description="Image2GIF (WACV 2018) in TensorFlow/Keras: cinemagraphs from a single image.",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["cinegen_tf", "cinegen_tf.*"])
    + ["cinegen_datasets"]
    + ["cinegen_datasets." + name for name in ("synthetic_cinemagraphs", "real_cinemagraphs")],
    package_dir={"cinegen_datasets": "datasets"},
    package_data={"cinegen_datasets": ["*/dummy_data/**/*", "*/*.bib", "*/README.md", "*/*.txt"],
                  "cinegen_tf.study": ["templates/*.html", "static/*"],
                  "cinegen_tf.motion": ["weights/*.npz", "MODEL_CARD.md"]},
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    entry_points={"console_scripts": [
        f"cinegen-{name}=cinegen_tf.{name}:main"
        for name in ("train", "evaluate", "generate", "export", "preview", "train_motion")
    ]},
)
