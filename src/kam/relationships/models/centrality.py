"""Betweenness scores kept between page views: a derived cache, never edited by anyone.

One row per account, keyed by the fingerprint of the graph the scores were computed on
(``analysis.centrality_key``): a view whose graph has the same key reads the row instead of
recomputing (seconds on a 2,000-person account); any change of a person or a link changes
the key, and the next view recomputes and replaces the row.
"""

from __future__ import annotations

from django.db import models

from kam.accounts.models import Account


class CentralityCache(models.Model):
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    # {contact id (as text, JSON keys are text): betweenness 0-1}
    scores = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"centrality of account {self.account_id} ({self.key[:8]})"
