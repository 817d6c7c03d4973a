"""The programme's workload read from the database (the rule: kam.priorities.workload), and
the lead's move of an account to another KAM (through the accounts app's service, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from kam.accounts.models import Account
from kam.accounts.services import account_update
from kam.core.models import Period
from kam.priorities.effort import capacity_hours, period_months
from kam.priorities.services import value_config
from kam.priorities.workload import KamLoad, Move, suggest_moves
from kam.relationships.models import Interaction
from kam.users.models import Role, User

# Relationships count from the last year of the interaction log.
KNOWN_DAYS = 365


@dataclass
class KamRow:
    user: User
    accounts: int
    asked: float
    capacity: float | None
    load: float | None
    overloaded: bool


@dataclass
class MoveRow:
    move: Move
    account: Account
    giver: User
    receiver: User
    lost: list[str]  # names of the contacts only the giver has met there


def asked_hours(period: Period, accounts) -> dict[int, float]:
    """Hours each account's tier's service level asks in ``period`` (0 without one)."""
    from kam.selection.models import AccountScore, TierScheme
    from kam.selection.queries import latest_run

    run = latest_run()
    scheme = TierScheme.objects.filter(active=True).first()
    if run is None or scheme is None:
        return {}
    visits = {t.code: float(t.visits_per_month) for t in scheme.tiers.all()}
    per_visit = float(value_config().hours_per_visit)
    months = period_months(period)
    return {
        account_id: visits.get(code, 0.0) * months * per_visit
        for account_id, code in AccountScore.objects.filter(
            run=run, account__in=accounts
        ).values_list("account_id", "tier_code")
    }


def _known(accounts, kams: list[int], since) -> dict[tuple[int, int], set[int]]:
    known: dict[tuple[int, int], set[int]] = {}
    rows = (
        Interaction.objects.filter(
            account__in=accounts, occurred_on__gte=since, our_participants__in=kams
        )
        .values_list("our_participants", "account_id", "their_participants")
        .distinct()
    )
    for user_id, account_id, contact_id in rows:
        if contact_id is not None:
            known.setdefault((user_id, account_id), set()).add(contact_id)
    return known


def workload(period: Period, *, today) -> tuple[list[KamRow], list[MoveRow]]:
    """Every KAM's load in ``period`` and the moves that would level it, in words."""
    from kam.relationships.models import Contact

    kams = list(
        User.objects.filter(is_active=True, role=Role.KEY_ACCOUNT_MANAGER).order_by(
            "first_name", "username"
        )
    )
    by_id = {k.pk: k for k in kams}
    accounts = Account.objects.filter(owner__in=kams)
    owners = dict(accounts.values_list("pk", "owner_id"))
    asked = asked_hours(period, accounts)
    capacity = capacity_hours(period=period, users=kams)
    loads = {k.pk: KamLoad(k.pk, capacity.get(k.pk)) for k in kams}
    for account_id, owner_id in owners.items():
        loads[owner_id].accounts[account_id] = asked.get(account_id, 0.0)
    rows = [
        KamRow(
            user=k,
            accounts=len(loads[k.pk].accounts),
            asked=loads[k.pk].asked,
            capacity=loads[k.pk].capacity,
            load=loads[k.pk].load,
            overloaded=loads[k.pk].overloaded,
        )
        for k in kams
    ]
    rows.sort(key=lambda r: (-(r.load if r.load is not None else -1), str(r.user)))
    if not any(r.overloaded for r in rows):
        return rows, []
    known = _known(accounts, list(by_id), today - timedelta(days=KNOWN_DAYS))
    names = dict(accounts.values_list("pk", "name"))
    moves = suggest_moves(list(loads.values()), known=known, names=names)
    moved = Account.objects.in_bulk([m.account for m in moves])
    contacts = dict(
        Contact.objects.filter(pk__in={c for m in moves for c in m.relationships_lost}).values_list(
            "pk", "name"
        )
    )
    return rows, [
        MoveRow(
            move=m,
            account=moved[m.account],
            giver=by_id[m.giver],
            receiver=by_id[m.receiver],
            lost=[contacts.get(c, "") for c in m.relationships_lost],
        )
        for m in moves
    ]


@transaction.atomic
def account_move(*, account: Account, to: User, by, expected_version: int | None = None):
    """Give ``account`` to the KAM ``to``: the accounts app's change of owner (the lead only,
    audited). A KAM who is not one is refused on ``to``."""
    try:
        return account_update(account=account, by=by, owner=to, expected_version=expected_version)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "owner" in error.error_dict:
            raise ValidationError({"to": error.error_dict["owner"]}) from error
        raise
