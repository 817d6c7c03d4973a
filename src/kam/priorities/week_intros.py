"""Introduction paths to influential people nobody on the team knows, as "my week" lines.

Read from the relationships app's public analyses (``relationship_context`` and
``analyse_introductions``): for each account the person works on, each influential contact
no one on our side knows in person, with the best chain of introductions to them. A target
with no chain at all is left to the relationship page (nothing to ask of anyone this week);
of the rest, the ``MAX_LINES`` with the highest influence x path score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core.cached import fingerprint_key
from kam.priorities import my_week

# The accounts analysed per person: the relationship analyses read one account at a time.
MAX_ACCOUNTS = 25
# The introductions kept per person, the most influential and likeliest first: a week holds a
# few, and the relationship pages list them all.
MAX_LINES = 5
# An account's introductions are recomputed when its relationship data changes (the cache key
# holds its fingerprint); this only bounds how long an unused entry is kept.
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class _Intro:
    """One introduction found at an account, in facts (no words: the reader's language and
    who reads it change the sentence, not the facts)."""

    target: str
    influence: int
    asker_id: int
    asker: str
    introducer: str
    chain: tuple[str, ...]
    score: float


def _account_intros(account: Account, today: date) -> list[_Intro]:
    from kam.relationships.analysis import analyse_introductions
    from kam.relationships.queries import relationship_context

    ctx = relationship_context(account=account, today=today)
    report = analyse_introductions(ctx)
    contacts = ctx.account.contact_by_id
    members = ctx.account.member_by_id
    found = []
    for target_id, paths in report.paths.items():
        if not paths:
            continue
        best = paths[0]
        who = members.get(best.user_id)
        found.append(
            _Intro(
                target=contacts[target_id].name,
                influence=contacts[target_id].influence,
                asker_id=best.user_id,
                asker=who.name if who else "?",
                introducer=contacts[best.introducer_id].name,
                chain=tuple(contacts[c].name for c in best.contact_ids),
                score=best.score,
            )
        )
    return found


def _intros_by_account(accounts: list[Account], today: date) -> dict[int, list[_Intro]]:
    """Each account's introductions, from the cache while its relationship data is unchanged:
    the analyses read an account at a time (about 16 queries each), and the dashboard shows
    this list on every visit."""
    from kam.relationships.queries import relationship_fingerprints

    prints = relationship_fingerprints([a.pk for a in accounts])
    keys = {a.pk: fingerprint_key("intros", (a.pk, today, prints[a.pk])) for a in accounts}
    cached = cache.get_many(list(keys.values()))
    out: dict[int, list[_Intro]] = {}
    fresh: dict[str, list[_Intro]] = {}
    for account in accounts:
        key = keys[account.pk]
        if key in cached:
            out[account.pk] = cached[key]
        else:
            # the analyses read the whole account: the list above holds three fields
            full = Account.objects.get(pk=account.pk)
            out[account.pk] = fresh[key] = _account_intros(full, today)
    if fresh:
        cache.set_many(fresh, timeout=CACHE_SECONDS)
    return out


def introduction_lines(*, user, accounts, today: date) -> list[my_week.Line]:
    chosen = list(
        Account.objects.filter(pk__in=accounts)
        .only("pk", "public_id", "name")
        .order_by("name")[:MAX_ACCOUNTS]
    )
    out: list[my_week.Line] = []
    intros = _intros_by_account(chosen, today)
    for account in chosen:
        for intro in intros[account.pk]:
            asker = _("you") if intro.asker_id == user.pk else intro.asker
            chain = " → ".join([asker, *intro.chain])
            out.append(
                my_week.Line(
                    my_week.INTRODUCTION,
                    account.name,
                    _("Get an introduction to %(target)s through %(introducer)s")
                    % {"target": intro.target, "introducer": intro.introducer},
                    _(
                        "Influential (%(influence)d of 5) and nobody on our side knows them in "
                        "person. Best path, %(score)s%% likely: %(chain)s."
                    )
                    % {
                        "influence": intro.influence,
                        "score": number_format(round(intro.score)),
                        "chain": chain,
                    },
                    reverse("relationships:account_detail", args=[account.public_id]),
                    weight=intro.influence * intro.score / 100,
                )
            )
    out.sort(key=lambda x: (-x.weight, x.account, x.title))
    return out[:MAX_LINES]
