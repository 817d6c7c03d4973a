"""Introduction paths to influential people nobody on the team knows, as "my week" lines.

Read from the relationships app's public analyses (``relationship_context`` and
``analyse_introductions``): for each account the person works on, each influential contact
no one on our side knows in person, with the best chain of introductions to them. A target
with no chain at all is left to the relationship page (nothing to ask of anyone this week);
of the rest, the ``MAX_LINES`` with the highest influence x path score.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.priorities import my_week

# The accounts analysed per person: the relationship analyses read one account at a time.
MAX_ACCOUNTS = 25
# The introductions kept per person, the most influential and likeliest first: a week holds a
# few, and the relationship pages list them all.
MAX_LINES = 5


def introduction_lines(*, user, accounts, today: date) -> list[my_week.Line]:
    from kam.relationships.analysis import analyse_introductions
    from kam.relationships.queries import relationship_context

    out: list[my_week.Line] = []
    for account in Account.objects.filter(pk__in=accounts).order_by("name")[:MAX_ACCOUNTS]:
        ctx = relationship_context(account=account, today=today)
        report = analyse_introductions(ctx)
        contacts = ctx.account.contact_by_id
        members = ctx.account.member_by_id
        for target_id, paths in report.paths.items():
            if not paths:
                continue
            best = paths[0]
            target = contacts[target_id]
            who = members.get(best.user_id)
            asker = _("you") if best.user_id == user.pk else (who.name if who else "?")
            chain = " → ".join([asker, *(contacts[c].name for c in best.contact_ids)])
            out.append(
                my_week.Line(
                    my_week.INTRODUCTION,
                    account.name,
                    _("Get an introduction to %(target)s through %(introducer)s")
                    % {"target": target.name, "introducer": contacts[best.introducer_id].name},
                    _(
                        "Influential (%(influence)d of 5) and nobody on our side knows them in "
                        "person. Best path, %(score)s%% likely: %(chain)s."
                    )
                    % {
                        "influence": target.influence,
                        "score": number_format(round(best.score)),
                        "chain": chain,
                    },
                    reverse("relationships:account_detail", args=[account.public_id]),
                    weight=target.influence * best.score / 100,
                )
            )
    out.sort(key=lambda x: (-x.weight, x.account, x.title))
    return out[:MAX_LINES]
