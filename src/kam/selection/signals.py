"""Signals of selection, to keep derived data consistent with the scores.

``scoring_run_done`` is sent once a scoring run's snapshot is stored (``run``: the ScoringRun),
outside its transaction: risk recomputes every account's health from the new scores.
"""

from django.dispatch import Signal

scoring_run_done = Signal()
