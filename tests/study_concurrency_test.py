"""30 participants at once over real HTTP (threaded server, SQLite in WAL mode): every vote
is stored exactly once, none lost; racing duplicates of one answer store one vote."""
import concurrent.futures
import importlib.util
import os
import pathlib
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug import serving

from cinegen_tf.study import app as app_lib
from cinegen_tf.study import db
from cinegen_tf.study import results

_spec = importlib.util.spec_from_file_location(
    "study_helpers", pathlib.Path(__file__).with_name("study_helpers.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

NUM_PARTICIPANTS = 30


@pytest.fixture
def server(tmp_path):
    manifest = helpers.make_study(tmp_path, per_category=1)
    httpd = serving.make_server("127.0.0.1", 0, app_lib.create_app(str(tmp_path)),
                                threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.port}", tmp_path, manifest
    httpd.shutdown()
    thread.join()


def test_thirty_participants_at_once_every_vote_stored_once(server):
    base, study_dir, manifest = server
    barrier = threading.Barrier(NUM_PARTICIPANTS)

    def participant(i):
        person = helpers.HttpParticipant(base, manifest)
        barrier.wait()  # all start together
        return person.run(f"worker{i:02d}")

    with concurrent.futures.ThreadPoolExecutor(NUM_PARTICIPANTS) as pool:
        sent = list(pool.map(participant, range(NUM_PARTICIPANTS)))

    conn = db.connect(os.path.join(study_dir, db.FILE_NAME))
    counts = db.counts(conn)
    print(f"participants {NUM_PARTICIPANTS}, votes sent {sum(sent)}, stored {counts['votes']}, "
          f"lost {sum(sent) - counts['votes']}")
    assert counts["participants"] == NUM_PARTICIPANTS
    assert counts["votes"] == sum(sent) == counts["trials"]
    # Exactly one vote per trial, each by the trial's own participant.
    assert conn.execute("SELECT COUNT(*) FROM trials t JOIN votes v ON v.trial_id = t.id "
                        "AND v.participant_id = t.participant_id").fetchone()[0] == sum(sent)
    tally = results.tally(conn, manifest)
    assert tally["num_participants"]["included"] == NUM_PARTICIPANTS
    assert tally["preference"]["fire"]["rnn_dqn"] == {"picked": NUM_PARTICIPANTS,
                                                      "shown": NUM_PARTICIPANTS}


def test_racing_duplicates_of_one_answer_store_one_vote(server):
    base, study_dir, manifest = server
    person = helpers.HttpParticipant(base, manifest)
    assert person.request("/?pid=racer") == 200
    person.request("/start", {"csrf_token": helpers.CSRF.search(person.page).group(1),
                              "consent": "yes", "participant": "racer"})
    form = urllib.parse.urlencode({"csrf_token": helpers.CSRF.search(person.page).group(1),
                                   "trial": helpers.TRIAL.search(person.page).group(1),
                                   "answer": "0"}).encode()
    barrier = threading.Barrier(10)

    def post(_):
        barrier.wait()
        try:
            # Same session cookie (one browser, ten clicks); do not follow the redirect.
            request = urllib.request.Request(base + "/answer", form)
            with _no_redirect(person.opener).open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        statuses = sorted(pool.map(post, range(10)))
    assert statuses == [303] + [409] * 9
    assert db.counts(db.connect(os.path.join(study_dir, db.FILE_NAME)))["votes"] == 1



def _no_redirect(opener):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    cookies = next(h for h in opener.handlers
                   if isinstance(h, urllib.request.HTTPCookieProcessor))
    return urllib.request.build_opener(cookies, NoRedirect())
