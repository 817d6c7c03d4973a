"""Betweenness is kept in the database per map: the first view after a change computes it, the
next views read it (seconds saved on a large account), and a changed map is recomputed."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from kam.relationships.models import CentralityCache, ContactLink, LinkKind
from kam.relationships.queries import account_analyses
from tests.factories import ContactFactory

TODAY = date(2026, 11, 2)


def _chain(account, size=5):
    people = [ContactFactory(account=account, name=f"联系人{i}") for i in range(size)]
    for a, b in pairwise(people):
        ContactLink.objects.create(account=account, source=a, target=b, kind=LinkKind.ALLIED_WITH)
    return people


def test_the_scores_are_stored_once_and_read_back_until_the_map_changes(account):
    people = _chain(account)
    first = account_analyses(account=account, today=TODAY).centrality
    middle = max(first.betweenness, key=first.betweenness.__getitem__)
    stored = CentralityCache.objects.get(account=account)
    assert stored.scores[str(middle)] == first.betweenness[middle]

    # What the next view shows is the stored row, not a fresh computation.
    end = people[-1].pk
    stored.scores = {cid: (1.0 if int(cid) == end else 0.0) for cid in stored.scores}
    stored.save()
    again = account_analyses(account=account, today=TODAY).centrality
    assert max(again.betweenness, key=again.betweenness.__getitem__) == end

    # A new link is a new map: recomputed and stored under its new key.
    ContactLink.objects.create(
        account=account, source=people[0], target=people[-1], kind=LinkKind.ALLIED_WITH
    )
    fresh = account_analyses(account=account, today=TODAY).centrality
    assert fresh.betweenness[end] < 1.0
    assert CentralityCache.objects.get(account=account).key != stored.key


def test_pages_without_the_people_tab_store_nothing(account):
    _chain(account)
    account_analyses(account=account, today=TODAY, with_centrality=False)
    assert not CentralityCache.objects.filter(account=account).exists()
