"""Shared by the study's tests (loaded by path: tests are not a package): a small study
written without any model, and a participant that walks the app with a Flask test client
or over HTTP."""
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from cinegen_tf.study import stimuli
from cinegen_tf.study import videos

METHODS = ("mathieu", "rnn", "rnn_dqn")
# The answer each method's cinemagraph gets from the scripted participants: in
# "preference" the first of these keys shown is picked; in "realism" these are called real.
PREFERRED = ("rnn_dqn", "rnn", "mathieu")
CALLED_REAL = ("rnn_dqn", "real")


def fake_clips(per_category=2, size=16, num_frames=6):
    """Clips of a bright square moving over a gradient, `per_category` of each category."""
    clips = []
    for category in videos.CATEGORIES:
        for i in range(per_category):
            frames = np.zeros((num_frames, size, size, 3), np.uint8)
            frames[..., 0] = np.linspace(0, 200, size, dtype=np.uint8)[None, None, :]
            frames[..., 2] = 60 + 40 * i
            for t in range(num_frames):
                frames[t, 4:8, (t + i) % (size - 4):(t + i) % (size - 4) + 4] = 255
            clips.append(videos.Clip(id=f"c{len(clips):03d}", category=category,
                                     source=f"{category}/clip{i}.mp4", clip_index=0,
                                     clip_start=0.0, frames=frames))
    return clips


def make_study(study_dir, methods=METHODS, per_category=2, design=None, name="test"):
    """A study of fake clips; each method's cinemagraph is the clip with its own tint."""
    clips = fake_clips(per_category)
    frames = np.stack([c.frames for c in clips])
    method_frames = {key: np.clip(frames.astype(int) + 20 * (j + 1), 0, 255).astype(np.uint8)
                     for j, key in enumerate(methods)}
    info = {key: {"workdir": f"/runs/{key}", "checkpoint": f"/runs/{key}/checkpoints/ckpt-1",
                  "step": 1, "method": key} for key in methods}
    return stimuli.write_study(str(study_dir), name, clips, method_frames, info, seed=7,
                               extra={"design": dict(design or {})})


def scripted_answer(page, study_manifest, options):
    """The answer a careful participant gives: see PREFERRED / CALLED_REAL; attention
    checks answered right."""
    del page, study_manifest
    if len(options) > 1:  # preference
        ranked = [k for k in ("real",) + PREFERRED if k in options]
        return str(options.index(ranked[0]))
    return "real" if options[0] in CALLED_REAL else "generated"


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TRIAL = re.compile(r'name="trial" value="(\d+)"')
IMAGES = re.compile(r'<img src="/stimuli/([0-9a-f]{16}\.gif)"')


def options_of(manifest, page):
    """The stimulus keys a trial page shows, in on-screen order (by their file names)."""
    names = {name: key for clip in manifest["clips"] for key, name in clip["stimuli"].items()}
    return [names[n] for n in IMAGES.findall(page)]


class ClientParticipant:
    """A participant driving the app through Flask's test client."""

    def __init__(self, client, manifest):
        self.client, self.manifest = client, manifest
        self.page = ""

    def get(self, path):
        response = self.client.get(path, follow_redirects=True)
        self.page = response.get_data(as_text=True)
        return response

    def start(self, pid=None):
        self.get("/" + (f"?pid={pid}" if pid else ""))
        form = {"csrf_token": CSRF.search(self.page).group(1), "consent": "yes",
                "participant": pid or ""}
        response = self.client.post("/start", data=form, follow_redirects=True)
        self.page = response.get_data(as_text=True)
        return response

    def form(self, answer):
        return {"csrf_token": CSRF.search(self.page).group(1),
                "trial": TRIAL.search(self.page).group(1), "answer": answer,
                "response_ms": "1500"}

    def answer_current(self, chooser=scripted_answer):
        answer = chooser(self.page, self.manifest, options_of(self.manifest, self.page))
        response = self.client.post("/answer", data=self.form(answer), follow_redirects=True)
        self.page = response.get_data(as_text=True)
        return response

    def finish(self, chooser=scripted_answer):
        while TRIAL.search(self.page):
            assert self.answer_current(chooser).status_code == 200, self.page
        return self.page


class HttpParticipant:
    """The same participant over real HTTP (urllib with its own cookie jar)."""

    def __init__(self, base_url, manifest):
        self.base, self.manifest, self.page = base_url, manifest, ""
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path, data=None):
        body = None if data is None else urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                self.page = response.read().decode()
                return response.status
        except urllib.error.HTTPError as error:
            self.page = error.read().decode()
            return error.code

    def run(self, pid, chooser=scripted_answer):
        """Consents and answers every trial; returns the number of answers sent."""
        assert self.request(f"/?pid={pid}") == 200
        csrf = CSRF.search(self.page).group(1)
        assert self.request("/start", {"csrf_token": csrf, "consent": "yes",
                                       "participant": pid}) == 200
        sent = 0
        while TRIAL.search(self.page):
            answer = chooser(self.page, self.manifest, options_of(self.manifest, self.page))
            status = self.request("/answer", {"csrf_token": CSRF.search(self.page).group(1),
                                              "trial": TRIAL.search(self.page).group(1),
                                              "answer": answer})
            assert status == 200, (status, self.page)
            sent += 1
        assert "completion code" in self.page
        return sent


def read_json(path):
    with open(path) as f:
        return json.load(f)


def build_fake_real_data(manual_dir, data_dir):
    """real_cinemagraphs/all prepared from the generated clips of fake_manual_dir (its test
    split: 1 fire + 2 water clips); returns data_dir."""
    import tensorflow_datasets as tfds
    from cinegen_datasets.real_cinemagraphs import fake_manual_dir
    from cinegen_datasets.real_cinemagraphs import real_cinemagraphs_dataset_builder as lib

    fake_manual_dir.write_manual_dir(manual_dir)
    builder = lib.Builder(config="all", data_dir=str(data_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    return str(data_dir)


def save_tiny_checkpoint(workdir, method="rnn", step=3):
    """An untrained 64x64 generator of `method` as the trainer saves it (config.json +
    checkpoints/ckpt-<step>), with a small z and Q-vector."""
    import tensorflow as tf
    from cinegen_tf.training import checkpoints, config_lib, methods

    config = config_lib.base_config()
    config.method = method
    config.model.z_dim, config.model.num_actions, config.model.image_size = 4, 3, 64
    generator = methods.build_generator(config)
    checkpoints.write_config(config, str(workdir))
    checkpoint = tf.train.Checkpoint(generator=generator)
    checkpoints.make_manager(checkpoint, str(workdir), max_to_keep=1).save(
        checkpoint_number=step)
    return str(workdir)
