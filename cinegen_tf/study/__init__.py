"""The human study of Sec. 5.7 (Table 6): stimuli, a web app, its database and counts.

  videos.py   real test clips, each method's cinemagraph of their first frame, broken clips
  stimuli.py  those videos encoded alike into the study folder, with a manifest
  trials.py   a participant's trials: order, positions, attention checks (seeded)
  db.py       SQLite (WAL, versioned schema): participants, trials, votes
  app.py      the Flask app: consent, both experiments, completion code, admin export
  results.py  Table 6's counts, Wilson intervals, exclusions, CSV export
  __main__.py `python -m cinegen_tf.study prepare|serve|export`
"""
