"""The analyses' findings as the API gives them: public ids instead of the integer keys the
pure analyses work with, usernames for our users, and the sentence the page shows.

The words come from ``explain.Explainer``, built here the same way for the page and the API,
so a finding reads the same in both places, in the caller's active language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from kam.accounts.models import Account
from kam.api.support import jsonable
from kam.relationships import analysis as pure
from kam.relationships.explain import Explainer
from kam.relationships.models import Contact, EntrenchedInterest, RoleVocabulary
from kam.users.models import User

# Facts that hold one integer id, and what it is the id of.
ID_FACTS = {
    "contact_id": "contacts",
    "successor_id": "contacts",
    "advocate_id": "contacts",
    "opportunity_id": "opportunities",
    "interest_id": "interests",
    "objective_id": "objectives",
}
# Facts that hold a list of {"id": ..., "name": ...}, and what the ids are of.
LIST_FACTS = {
    "unknown": "contacts",
    "contacts": "contacts",
    "influential": "contacts",
    "via": "contacts",
    "opportunities": "opportunities",
}


def analysis_users(analysis: pure.AccountAnalysis) -> dict[int, User]:
    """Our users a finding may name: the team, and anyone (the lead) who knows a contact."""
    snapshot = analysis.context.account
    ids = {m.id for m in snapshot.team} | {
        u for users in analysis.context.known_by.values() for u in users
    }
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def account_explainer(
    *, account: Account, analysis: pure.AccountAnalysis, users: Mapping[int, User]
) -> Explainer:
    """The explainer of the account's findings (the page's and the API's)."""
    names = {pk: str(u) for pk, u in users.items()}
    for member in analysis.context.account.team:
        names.setdefault(member.id, member.name)
    return Explainer(users=names, currency=account.currency, vocabulary=RoleVocabulary.load())


@dataclass(frozen=True)
class PublicIds:
    """Integer id -> public id of the account's records, and user id -> username."""

    contacts: Mapping[int, UUID]
    opportunities: Mapping[int, UUID]
    interests: Mapping[int, UUID]
    objectives: Mapping[int, UUID]
    users: Mapping[int, str]

    @classmethod
    def of(cls, *, account: Account, users: Mapping[int, User]) -> PublicIds:
        """Four queries, whatever the number of findings."""
        from kam.planning.models import Objective, Opportunity

        def ids(model) -> dict[int, UUID]:
            return dict(model.objects.filter(account=account).values_list("pk", "public_id"))

        return cls(
            contacts=ids(Contact),
            opportunities=ids(Opportunity),
            interests=ids(EntrenchedInterest),
            objectives=ids(Objective),
            users={pk: u.username for pk, u in users.items()},
        )

    def public(self, kind: str, pk: int | None) -> str | None:
        found = getattr(self, kind).get(pk) if pk is not None else None
        return str(found) if found is not None else None


def public_facts(value: Any, ids: PublicIds, kind: str | None = None) -> Any:
    """``value`` (a finding's facts) as JSON with every id public; ``kind`` says what an
    ``id`` key inside a list item is the id of."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "id" and kind is not None:
                out["id"] = ids.public(kind, item)
            elif key in ID_FACTS:
                out[key] = ids.public(ID_FACTS[key], item)
            elif key == "user_id":
                out["user"] = ids.users.get(item)
            elif key == "known_by":
                out[key] = [ids.users.get(u) for u in item]
            else:
                out[key] = public_facts(item, ids, LIST_FACTS.get(key))
        return out
    if isinstance(value, list | tuple):
        return [public_facts(item, ids, kind) for item in value]
    return jsonable(value)


def public_finding(finding: pure.Finding, *, ids: PublicIds, explainer: Explainer) -> dict:
    """One finding for the API: code, severity, public ids, and its sentence."""
    return {
        "code": finding.code.value,
        "severity": finding.severity.value,
        "contact_id": ids.public("contacts", finding.contact_id),
        "sentence": explainer.sentence(finding),
        "facts": public_facts(finding.facts, ids),
    }
