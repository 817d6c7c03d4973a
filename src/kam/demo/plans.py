"""Demo account plans: one per key account in the current period, in every state, and the
planted cases the plan pages must surface (issue 11 item 11):

- ``agreed_by_all``: agreed by every member of the team;
- ``waiting_for_two``: submitted, the KAM agreed, two members still to sign;
- ``objected``: a member objected, so the plan is back in draft with the comment;
- ``off_track``: agreed, with late and blocked actions;
- ``review_overdue``: the mentor's last review is 150 days old (the cadence is 90);
- ``stale_gold``: a Gold account's plan not updated for four months;
- ``no_contingency``: a key account whose plan says nothing about losing it.

Written through the plan services, as the KAMs would; only the dates of the past (reviews,
the stale plan's last change) are set afterwards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from kam.accounts.models import Account
from kam.core.models import Period
from kam.demo.generator import DemoCompany
from kam.planning.services import objective_create
from kam.plans import services
from kam.plans.models import Action, Decision, MentorReview, Plan, Verdict
from kam.selection.models import AccountScore
from kam.selection.queries import latest_run
from kam.users.models import User

CASES = (
    "agreed_by_all",
    "waiting_for_two",
    "objected",
    "off_track",
    "review_overdue",
    "stale_gold",
    "no_contingency",
)
OBJECTION = "The delivery promise in action 2 is not realistic before Chinese New Year."
ACTIONS = (
    "Present the new concealed-hinge range to the design team",
    "Agree the yearly price and volume schedule with purchasing",
    "Run a site visit at the customer's plant with our engineer",
    "Set up the monthly delivery forecast with their scheduler",
    "Invite the operations director to our factory in Guangzhou",
    "Review the open quality complaints and close them",
)


@dataclass(frozen=True)
class DemoPeriods:
    current: Period
    previous: Period


def periods(today: date) -> DemoPeriods:
    """The fiscal year around ``today`` (it started six months ago) and the one before."""
    start = date(today.year, today.month, 1) - timedelta(days=182)
    start = date(start.year, start.month, 1)
    end = date(start.year + 1, start.month, 1) - timedelta(days=1)
    before = date(start.year - 1, start.month, 1)
    current, _ = Period.objects.get_or_create(
        name=f"FY{end.year}", defaults={"starts_on": start, "ends_on": end}
    )
    previous, _ = Period.objects.get_or_create(
        name=f"FY{end.year - 1}",
        defaults={"starts_on": before, "ends_on": start - timedelta(days=1)},
    )
    return DemoPeriods(current, previous)


def _key_accounts() -> list[tuple[Account, str]]:
    """Key accounts with a KAM, best ranked first, with their tier name."""
    run = latest_run()
    if run is None:
        return []
    scores = (
        AccountScore.objects.filter(run=run, is_key=True)
        .order_by("rank")
        .values_list("account_id", "tier_name")
    )
    tiers = dict(scores)
    accounts = Account.objects.filter(pk__in=tiers, owner__isnull=False).select_related("owner")
    ranked = sorted(accounts, key=lambda a: list(tiers).index(a.pk))
    return [(a, tiers[a.pk]) for a in ranked]


def planted_plans(key: list[tuple[Account, str]]) -> dict[str, Account]:
    """Which account carries which planted case (deterministic: by rank and team size)."""
    teams = {a.pk: a.team.count() for a, _t in key}
    free = [a for a, _t in key]
    out: dict[str, Account] = {}

    def take(case: str, rule) -> None:
        found = next(a for a in free if rule(a))
        free.remove(found)
        out[case] = found

    gold = {a.pk for a, tier in key if tier.lower() == "gold"}
    take("stale_gold", lambda a: a.pk in gold)
    take("waiting_for_two", lambda a: teams[a.pk] >= 2)  # with the KAM: three signers
    take("objected", lambda a: teams[a.pk] >= 1)
    for case in ("agreed_by_all", "off_track", "review_overdue"):
        take(case, lambda a: True)
    # The lowest ranked: the risk demo puts this account above the risk threshold, and on a
    # top account (the ranking moves with the demo's date) that alone would outweigh the
    # programme's planted tail risks.
    free.reverse()
    take("no_contingency", lambda a: True)
    return out


def demo_plans_load(company: DemoCompany) -> dict[str, str]:
    """Plans for the demo's key accounts; returns {case: account code}."""
    rng = random.Random(company.seed + 11)
    today = company.today
    span = periods(today)
    key = _key_accounts()
    if not key:
        return {}
    planted = planted_plans(key)
    case_of = {a.pk: case for case, a in planted.items()}
    # The account with the largest map is the one the README's tour shows: its plan is agreed
    # (unless it carries a planted case), so its versions have something to show.
    largest = (
        Account.objects.filter(pk__in=[a.pk for a, _t in key])
        .annotate(people=Count("contacts"))
        .order_by("-people", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    states = ("agreed", "submitted", "draft", "agreed")
    for index, (account, _tier) in enumerate(key):
        case = case_of.get(account.pk, "")
        if not case and account.pk == largest:
            case = "largest_map"
        state = {
            "largest_map": "agreed",
            "agreed_by_all": "agreed",
            "waiting_for_two": "waiting",
            "objected": "objected",
            "off_track": "agreed",
            "review_overdue": "agreed",
            "stale_gold": "agreed",
            # Sent for agreement without the contingency written: the quality check names it.
            "no_contingency": "submitted",
        }.get(case, states[index % len(states)])
        plan = _plan(rng, account, span.current, today, case)
        _to_state(plan, state, account.owner)
        _review(account, plan, today, overdue=case == "review_overdue", rng=rng)
        if index % 6 == 5:  # a few closed plans of the year before, for the history
            old = _plan(rng, account, span.previous, span.previous.ends_on - timedelta(days=30), "")
            _to_state(old, "agreed", account.owner)
            services.plan_close(plan=Plan.objects.get(pk=old.pk), by=account.owner)
    _files_and_checklists(planted["agreed_by_all"], span.current, today)
    stale = Plan.objects.get(account=planted["stale_gold"], period=span.current)
    long_ago = timezone.make_aware(datetime.combine(today - timedelta(days=125), time(10)))
    Plan.objects.filter(pk=stale.pk).update(updated_at=long_ago, created_at=long_ago)
    # A plan is as fresh as its latest change, its actions' included (kam.plans.follow).
    Action.objects.filter(plan=stale).update(updated_at=long_ago, created_at=long_ago)
    return {case: account.code for case, account in planted.items()}


def _plan(rng: random.Random, account: Account, period: Period, today: date, case: str) -> Plan:
    kam = account.owner
    plan = services.plan_create(account=account, period=period, by=kam)
    contingency = {}
    if case != "no_contingency":
        contingency = {
            "contingency_triggers": "Orders fall two months in a row; a competitor is listed.",
            "contingency_actions": "Senior visit within two weeks; offer the service contract.",
            "contingency_owner": kam,
        }
    services.plan_update(
        plan=plan,
        by=kam,
        customer_strategy="Growing its hotel projects in the region; buying is centralised.",
        strengths="Delivery on time; our engineer knows their plant.",
        weaknesses="Price above the local makers.",
        opportunities_swot="Their new product line needs soft-close hinges.",
        threats="A local maker offers 8% less.",
        strategy="Sell the whole hardware set with the service contract, not single parts.",
        **contingency,
    )
    told = list(account.objectives.all())
    if not any(o.horizon == "short_term" for o in told):
        told.append(
            objective_create(
                account=account,
                by=kam,
                description="Cut the cost of fittings per room by 5% this year",
                horizon="short_term",
                today=today,
            )
        )
    services.plan_update(
        plan=Plan.objects.get(pk=plan.pk),
        by=kam,
        customer_objectives=told,
        opportunities=list(account.opportunities.filter(status="open")),
    )
    targets = {"revenue": 1_000_000, "margin": 30, "dmu_penetration": 60}
    for objective in plan.team_objectives.filter(target__isnull=True):
        target = targets.get(objective.source, 95 if objective.unit == "%" else 1)
        services.team_objective_update(objective=objective, by=kam, target=target)
    members = services.team_members(account)
    start = max(period.starts_on, today - timedelta(days=120))
    count = 8 if case == "off_track" else 5
    for n in range(count):
        owner = members[n % len(members)]
        if case == "off_track" and n < 3:
            fields = {"due_on": max(period.starts_on, today - timedelta(days=20 + 9 * n))}
        elif case == "off_track" and n < 5:
            fields = {"status": "blocked", "blocked_reason": "Waiting for their budget approval."}
            fields["due_on"] = min(period.ends_on, today + timedelta(days=40))
        elif n == 0 and period.ends_on >= today:
            fields = {
                "status": "done",
                "done_on": min(today, start + timedelta(days=10)),
                "due_on": start + timedelta(days=10),
            }
        else:
            due = today + timedelta(days=60 + rng.randint(0, 60))
            fields = {"due_on": min(period.ends_on, due)}
        if fields.get("due_on") and fields["due_on"] < period.starts_on:
            fields["due_on"] = period.starts_on
        services.action_create(
            plan=plan, by=kam, what=ACTIONS[n % len(ACTIONS)], owner=owner, **fields
        )
    return Plan.objects.get(pk=plan.pk)


def _to_state(plan: Plan, state: str, kam: User) -> None:
    if state == "draft":
        return
    version = services.plan_submit(plan=plan, by=kam)
    sign_offs = list(version.sign_offs.select_related("member").order_by("pk"))
    others = [s for s in sign_offs if s.member_id != kam.pk]
    if state == "waiting":
        # Everyone agrees but the last two members, who have not answered yet.
        for sign_off in [s for s in sign_offs if s.member_id == kam.pk] + others[:-2]:
            services.plan_sign(plan=_fresh(plan), by=sign_off.member, decision=Decision.AGREED)
        return
    if state == "submitted":
        services.plan_sign(plan=_fresh(plan), by=kam, decision=Decision.AGREED)
        if len(others) > 1:
            services.plan_sign(plan=_fresh(plan), by=others[0].member, decision=Decision.AGREED)
        return
    if state == "objected":
        objector = others[0].member if others else kam
        services.plan_sign(
            plan=_fresh(plan), by=objector, decision=Decision.OBJECTED, comment=OBJECTION
        )
        return
    for sign_off in sign_offs:  # agreed by all
        services.plan_sign(plan=_fresh(plan), by=sign_off.member, decision=Decision.AGREED)


def _fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def _review(account: Account, plan: Plan, today: date, *, overdue: bool, rng) -> None:
    mentor = account.mentors.select_related("mentor").first()
    if mentor is None:
        return
    days = 150 if overdue else rng.randint(10, 40)
    MentorReview.objects.create(
        account=account,
        plan=plan,
        mentor=mentor.mentor,
        reviewed_on=today - timedelta(days=days),
        verdict=Verdict.ENDORSED if not overdue else Verdict.ENDORSED_WITH_CHANGES,
        comment="The long-term strategy holds; watch the local competitor's prices.",
        created_by=mentor.mentor,
    )


# A one-page PDF, enough for the demo's proposal: kam checks a file's content, not its name.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _files_and_checklists(account: Account, period: Period, today: date) -> None:
    """A proposal on the agreed plan with its mentor's remark, and two dated assessments of
    the account's capabilities (the history the checklist page shows)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kam.plans.attachments import attachment_add, attachment_comment_add
    from kam.plans.capabilities import Answer, checklist_record

    plan = Plan.objects.get(account=account, period=period)
    kam = account.owner
    proposal = attachment_add(
        by=kam,
        upload=SimpleUploadedFile("proposal-service-contract.pdf", DEMO_PDF),
        title="Service contract proposal",
        plan=plan,
    )
    mentor = account.mentors.select_related("mentor").first()
    if mentor is not None:
        attachment_comment_add(
            by=mentor.mentor,
            attachment=proposal,
            comment="Lead with the delivery record, then the price; add a reference customer.",
        )
    earlier = {"decision_makers": Answer(met=False, rating=2), "competition": Answer(met=False)}
    later = {
        "decision_makers": Answer(met=True, rating=4, note="Met the operations director."),
        "buying_process": Answer(met=True, rating=3),
        "competition": Answer(met=True, rating=3),
        "development_plan": Answer(met=True, rating=4),
    }
    checklist_record(
        by=kam, account=account, answers=earlier, assessed_on=today - timedelta(days=120)
    )
    checklist_record(by=kam, account=account, answers=later, assessed_on=today - timedelta(days=5))
