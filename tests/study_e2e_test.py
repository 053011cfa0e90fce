"""End to end in a real browser: `python -m cinegen_tf.study serve`, a participant in
headless Chromium (Debian's chromium + chromium-driver, driven by Selenium) who consents,
answers both experiments by clicking, reloads half-way, and gets a completion code; then
the database and Table 6 (experiments.table6) are checked."""
import contextlib
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from cinegen_tf.study import db
from experiments import table6_lib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "study_helpers", pathlib.Path(__file__).with_name("study_helpers.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs the system browser: apt-get install chromium chromium-driver (.ci/run does)")


def chromium_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1000,800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def click_and_wait(driver, element):
    """Clicks a submit button and waits until the browser has loaded the next page.

    The old page is marked by a window property that a new page does not have. Waiting
    for an old element to go stale instead fails at random: while Chromium swaps the
    documents it can answer "Node with given id does not belong to the document", an
    error Selenium's `staleness_of` does not catch (CI, stop 36)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.e2eOldPage = true")
    element.click()
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return !window.e2eOldPage && document.readyState === 'complete'"))


@contextlib.contextmanager
def serving(study_dir):
    """The study in `study_dir` served by the binary on 127.0.0.1 (a free port), as the
    README runs it; yields its base URL."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    server = subprocess.Popen(
        [sys.executable, "-m", "cinegen_tf.study", "serve", f"--study_dir={study_dir}",
         "--port=0", "--admin_token=e2e-token"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = server.stdout.readline()
        match = re.match(r"participants: (http://127\.0\.0\.1:\d+)/", first)
        assert match, first
        yield match.group(1)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def served(tmp_path):
    """A study of 3 methods, served: (base URL, study_dir, manifest)."""
    study_dir = tmp_path / "study"
    manifest = helpers.make_study(study_dir, name="e2e")
    with serving(study_dir) as base:
        yield base, study_dir, manifest


def first_preference_trial(driver, base, num_options):
    """Consents and answers until a preference trial shows `num_options` clips; returns
    their <img> elements."""
    from selenium.webdriver.common.by import By

    driver.get(base + "/?pid=layout_person")
    driver.find_element(By.ID, "consent").click()
    click_and_wait(driver, driver.find_element(By.ID, "begin"))
    for _ in range(20):
        images = driver.find_elements(By.CSS_SELECTOR, "figure img")
        if len(images) == num_options:
            return images
        click_and_wait(driver, driver.find_elements(By.CSS_SELECTOR, "button.pick")[0])
    raise AssertionError(f"no preference trial of {num_options} clips in 20 questions")


def test_four_methods_fit_on_one_row_of_a_1000_px_window(tmp_path):
    from selenium.webdriver.common.by import By

    study_dir = tmp_path / "study"
    helpers.make_study(study_dir, methods=("mathieu", "rnn", "rnn_dqn", "constant"))
    with serving(study_dir) as base:
        driver = chromium_driver()
        try:
            assert driver.execute_script("return window.innerWidth") == 1000
            images = first_preference_trial(driver, base, 4)
            boxes = [image.rect for image in images]
            buttons = [b.rect for b in driver.find_elements(By.CSS_SELECTOR, "button.pick")]
        finally:
            driver.quit()
    assert len({box["y"] for box in boxes}) == 1, boxes  # one row
    assert len({(box["width"], box["height"]) for box in boxes}) == 1, boxes  # alike, square
    assert boxes[0]["width"] == boxes[0]["height"] >= 160, boxes
    assert boxes[0]["x"] >= 0 and boxes[-1]["x"] + boxes[-1]["width"] <= 1000, boxes
    assert len({b["y"] for b in buttons}) == 1, buttons


def test_a_participant_completes_the_study_in_chromium(served, tmp_path):
    from selenium.webdriver.common.by import By

    base, study_dir, manifest = served
    names = {name: key for clip in manifest["clips"] for key, name in clip["stimuli"].items()}
    driver = chromium_driver()
    try:
        driver.get(base + "/?pid=e2e_person")
        assert "How real do these cinemagraphs look?" in driver.page_source
        driver.find_element(By.ID, "begin").click()  # without consent: the browser refuses
        assert driver.execute_script(
            "return document.getElementById('consent').validity.valueMissing") is True
        assert "/trial" not in driver.current_url
        driver.find_element(By.ID, "consent").click()
        click_and_wait(driver, driver.find_element(By.ID, "begin"))
        answered = 0
        while "/trial" in driver.current_url:
            progress = driver.find_element(By.ID, "progress").text
            assert f"question {answered + 1} of" in progress
            images = driver.find_elements(By.CSS_SELECTOR, "figure img")
            # Every clip is loaded and shown at the display size.
            for image in images:
                assert driver.execute_script("return arguments[0].complete && "
                                             "arguments[0].naturalWidth", image) == 16
                assert image.size["width"] == 256
            options = [names[i.get_attribute("src").rsplit("/", 1)[1]] for i in images]
            if answered == 5:  # a reload shows the same question again
                driver.refresh()
                assert driver.find_element(By.ID, "progress").text == progress
            answer = helpers.scripted_answer(None, manifest, options)
            if len(options) > 1:
                button = driver.find_elements(By.CSS_SELECTOR, "button.pick")[int(answer)]
            else:
                button = driver.find_element(By.ID, answer)
            click_and_wait(driver, button)
            answered += 1
        code = driver.find_element(By.ID, "code").text
        assert re.fullmatch(r"[0-9A-F]{10}", code)
    finally:
        driver.quit()

    conn = db.connect(os.path.join(study_dir, db.FILE_NAME))
    row = conn.execute("SELECT * FROM participants").fetchone()
    assert (row["external_id"], row["completion_code"]) == ("e2e_person", code)
    assert "Chrome" in row["user_agent"]
    assert db.counts(conn) == {"participants": 1, "trials": answered, "votes": answered}
    assert all(r[0] is not None and r[0] > 0 for r in conn.execute(
        "SELECT response_ms FROM votes"))  # the page's script timed every answer

    md_path, _ = table6_lib.write(str(study_dir), str(tmp_path))
    md = pathlib.Path(md_path).read_text()
    assert "| RNN+DQN | **100.0%** (2/2; 34.2–100.0) | 37.14% | **100.0%** (2/2; 34.2–100.0) " \
           "| 37.74% | **100.0%** (2/2; 34.2–100.0) | 35.00% |" in md
    assert "**1 counted** of 1 who consented; 0 excluded" in md
