"""Betweenness recomputed in the background after a change to the map (issue 14 item 12): a
write asks once, after its commit; the job stores the current map's scores; a large account's
page uses them, and right after a change shows the older ones dated, never as current."""

from __future__ import annotations

from itertools import pairwise
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from kam.relationships import background
from kam.relationships.analysis import paths
from kam.relationships.models import CentralityCache, ContactLink, LinkKind
from kam.relationships.services.links import link_create
from tests.factories import ContactFactory

STALE = "the map has changed since"


@pytest.fixture
def large(monkeypatch):
    """Every account counts as large (the rule starts at 400 active people)."""
    monkeypatch.setattr(paths, "BACKGROUND_MIN_PEOPLE", 3)


@pytest.fixture
def started(monkeypatch):
    """The accounts whose recompute was started (the thread replaced by a note of it)."""
    calls: list[int] = []

    class Thread:
        def __init__(self, target, args, daemon):
            self.args = args

        def start(self):
            calls.append(*self.args)

    monkeypatch.setattr(background, "threading", SimpleNamespace(Thread=Thread))
    return calls


def _chain(account, size=5):
    people = [ContactFactory(account=account, name=f"Orang {i}") for i in range(size)]
    for a, b in pairwise(people):
        ContactLink.objects.create(account=account, source=a, target=b, kind=LinkKind.ALLIED_WITH)
    return people


def test_a_change_asks_once_after_commit_and_the_job_stores_the_current_map(
    account, alice, large, started
):
    people = _chain(account)
    link_create(source=people[0], target=people[-1], kind=LinkKind.INFLUENCES, by=alice)
    # Waiting for the test's transaction to commit: one request for the account, however
    # many people and links it wrote (the account's first person included).
    ours = [
        item[1]
        for item in connection.run_on_commit
        if getattr(item[1], "kam_centrality", None) == account.pk
    ]
    assert len(ours) == 1
    assert started == []  # nothing before the commit
    ours[0]()
    assert started == [account.pk]

    assert background.recompute_centrality(account.pk) is True
    stored = CentralityCache.objects.get(account=account)
    assert background.recompute_centrality(account.pk) is False  # already this map's
    assert CentralityCache.objects.get(account=account).computed_at == stored.computed_at


def test_a_large_account_shows_the_stored_scores_and_after_a_change_the_older_ones_dated(
    account, alice, client_for, large, started, monkeypatch, django_capture_on_commit_callbacks
):
    people = _chain(account)
    background.recompute_centrality(account.pk)
    exact = dict(CentralityCache.objects.get(account=account).scores)

    def never(ctx):
        raise AssertionError("the page computed betweenness itself")

    monkeypatch.setattr(paths, "betweenness_scores", never)
    url = reverse("relationships:account_detail", args=[account.public_id]) + "?tab=people"
    page = client_for(alice).get(url).content.decode()
    assert "Hidden influencers" in page and "Orang 2" in page and STALE not in page

    # The map changes; the background has not run yet.
    ContactLink.objects.create(
        account=account, source=people[0], target=people[-1], kind=LinkKind.ALLIED_WITH
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(alice).get(url).content.decode()
    assert STALE in page and "Hidden influencers" in page
    assert started == [account.pk]  # the view asked again, in case the job was lost

    monkeypatch.undo()  # the job computes (exactly, as a view used to)
    monkeypatch.setattr(paths, "BACKGROUND_MIN_PEOPLE", 3)
    assert background.recompute_centrality(account.pk) is True
    fresh = CentralityCache.objects.get(account=account).scores
    assert fresh != exact and fresh[str(people[-1].pk)] == pytest.approx(
        paths.betweenness_scores(paths.AccountContext.build(_snapshot(account), None))[
            people[-1].pk
        ]
    )
    assert STALE not in client_for(alice).get(url).content.decode()


def _snapshot(account):
    from django.utils import timezone

    from kam.relationships.queries import account_relationship_snapshot

    return account_relationship_snapshot(account=account, today=timezone.localdate())
