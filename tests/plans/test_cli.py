"""`kam plans report`, `kam plans export` and `kam close-plans` (issue 11 item 9)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.management import call_command
from django.utils import timezone

from kam.plans.models import PlanState, VersionState
from tests.plans.factories import (
    ActionFactory,
    PeriodFactory,
    PlanFactory,
    SignOffFactory,
    VersionFactory,
)

TODAY = timezone.localdate()


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_report_prints_late_actions_and_plans_waiting_for_agreement(account, bob):
    plan = PlanFactory(account=account, state=PlanState.SUBMITTED)
    SignOffFactory(version=VersionFactory(plan=plan, state=VersionState.SUBMITTED), member=bob)
    ActionFactory(plan=plan, owner=bob, due_on=TODAY - timedelta(days=2), what="Send samples")
    text = _run("plans", "report")
    assert "Late actions (1)" in text and "Send samples" in text
    assert "Plans waiting for agreement (1)" in text and "Bob" in text
    assert "逾期行動" in _run("plans", "report", "--overdue", "--language", "zh-hant")


def test_the_export_writes_csv_and_xlsx(account, tmp_path):
    PlanFactory(account=account)
    _run("plans", "export", "--csv", str(tmp_path / "p.csv"), "--xlsx", str(tmp_path / "p.xlsx"))
    assert account.name in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    assert (tmp_path / "p.xlsx").read_bytes().startswith(b"PK")


def test_close_plans_closes_only_plans_whose_period_ended(account, other_account):
    old = PeriodFactory(name="FY2020", starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31))
    ended = PlanFactory(account=account, period=old)
    current = PlanFactory(account=other_account)
    current.period.ends_on = TODAY + timedelta(days=30)
    current.period.save()
    assert "1 plans closed." in _run("close-plans")
    ended.refresh_from_db()
    current.refresh_from_db()
    assert (ended.state, current.state) == (PlanState.CLOSED, PlanState.DRAFT)
