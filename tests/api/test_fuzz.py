"""Schemathesis over every operation of the OpenAPI document, against the real app and the
real test database, as the programme lead and as a key account manager.

Each operation gets a fixed number of generated requests (``FUZZ_EXAMPLES``, derandomized:
the same requests on every run). Ids in paths, queries and bodies are sometimes swapped for
ids of the seeded records (an account with contacts, assessments, links, interactions,
interests, practices, objectives, opportunities, overrides, levels and a scoring run), so
requests reach past the 404. Valid and invalid requests are mixed (schemathesis' positive and
negative modes). Checks: no server error, the answer matches the documented schema, its
status and content type are documented.

Each operation runs as one role per database, the other role on the other database (SQLite
and PostgreSQL alternate by operation), so CI covers both roles on every operation at half the
cost; ``KAM_FUZZ_ROLES=both`` runs both roles here.

Rerun one operation: ``pytest tests/api/test_fuzz.py -k "PATCH and contacts"``; more
examples: ``KAM_FUZZ_EXAMPLES=200 pytest tests/api/test_fuzz.py``. A failure lists every
distinct problem of the operation with the request that shows it (as a curl command).
"""

from __future__ import annotations

import logging
import os
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kam.accounts.models import Account
from kam.api.api import api
from kam.core.models import Job, Period
from kam.planning.models import Objective, Opportunity
from kam.plans import services as plan_services
from kam.plans.attachments import attachment_add
from kam.plans.capabilities import Answer, checklist_record
from kam.plans.models import (
    Action,
    Attachment,
    CapabilityChecklist,
    Competitor,
    MentorReview,
    Plan,
    TeamObjective,
)
from kam.plans.reviews import review_record
from kam.relationships import services
from kam.relationships.models import (
    Assessment,
    Contact,
    ContactLink,
    EntrenchedInterest,
    EntrenchedPractice,
    Interaction,
    RelationshipLevel,
    RelationshipOverride,
)
from kam.risk.models import SimulationRun
from kam.selection.models import SelectionCriterion, Tier
from kam.selection.run import scoring_run_execute
from kam.tactics.models import AccountTactic, RebateAgreement
from kam.users.models import ApiToken, Role
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MentorAssignmentFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.plans.factories import PlanFactory
from tests.relationships.factories import (
    AssessmentFactory,
    InteractionFactory,
    InterestFactory,
    LinkFactory,
    ObjectiveFactory,
    OpportunityFactory,
    PracticeFactory,
)
from tests.rollups import AS_OF, quarters_for

FUZZ_EXAMPLES = int(os.environ.get("KAM_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
APP = WSGIHandler()
ROLES = ("lead", "kam")


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _cases() -> list:
    """(operation, role) pairs: both roles with KAM_FUZZ_ROLES=both, else one per database."""
    both = os.environ.get("KAM_FUZZ_ROLES") == "both"
    offset = 1 if _on_postgresql() else 0
    return [
        pytest.param(operation, role, id=f"{operation.label}-{role}")
        for index, operation in enumerate(OPERATIONS)
        for role in ROLES
        if both or role == ROLES[(index + offset) % 2]
    ]


# Which seeded records a parameter or body field names.
KINDS = {
    "account": "account",
    "account_id": "account",
    "contact": "contact",
    "contact_id": "contact",
    "holder": "contact",
    "source": "contact",
    "target": "contact",
    "reports_to": "contact",
    "successor": "contact",
    "advocate": "contact",
    "source_contact": "contact",
    "assessment_id": "assessment",
    "link_id": "link",
    "interaction_id": "interaction",
    "interest_id": "interest",
    "practice_id": "practice",
    "override_id": "override",
    "level_id": "level",
    "objective": "objective",
    "objective_id": "objective",
    "opportunity_id": "opportunity",
    "job_id": "job",
    "tactic_id": "tactic",
    "agreement_id": "agreement",
    "user": "username",
    "key": "criterion",
    "tier": "tier",
    "run_id": "simulation",
    "plan": "plan",
    "plan_id": "plan",
    "review_id": "review",
    "opportunity": "opportunity",
    "attachment_id": "attachment",
    "checklist_id": "checklist",
    "kam": "username",
    "period": "period",
    "period_id": "period",
    "competitor_id": "competitor",
    "team_objective_id": "team_objective",
    "action_id": "action",
    "owner": "username",
    "contingency_owner": "username",
    "entry_id": "time_entry",
    "expense_id": "expense",
    "absence_id": "absence",
    "pin_id": "pin",
    "allocation_id": "allocation",
}
LIST_KINDS = {
    "their_participants": "contact",
    "buy_in_needed_from": "contact",
    "objectives": "objective",
    "our_participants": "username",
    "known_in_person_by": "username",
    "required_signers": "username",
    "customer_objectives": "objective",
    "opportunities": "opportunity",
    "accounts": "code",
    "groups": "code",
}


@pytest.fixture
def world(db, settings, tmp_path):
    """Two accounts (one the KAM's, one another's) and one of every record on each."""
    lead = UserFactory(username="lead", role=Role.PROGRAMME_LEAD, is_staff=True)
    kam = UserFactory(username="kam", role=Role.KEY_ACCOUNT_MANAGER)
    other = UserFactory(username="other", role=Role.KEY_ACCOUNT_MANAGER)
    team = UserFactory(username="team", role=Role.TEAM_MEMBER)
    mentor = UserFactory(username="mentor", role=Role.MENTOR)
    ids: dict[str, list] = {}
    period = Period.objects.create(
        name="FY2027", starts_on=AS_OF, ends_on=AS_OF.replace(year=AS_OF.year + 1)
    )
    for owner, name in ((kam, "PT Sinar Abadi"), (other, "广州华美家具")):
        account = AccountFactory(name=name, owner=owner)
        TeamMembershipFactory(account=account, user=team)
        boss = ContactFactory(account=account, name="Budi Santoso")
        people = [boss, ContactFactory(account=account, name="陳嘉欣", reports_to=boss)]
        AssessmentFactory(contact=boss)
        LinkFactory(source=people[0], target=people[1])
        InteractionFactory(account=account, users=[owner], contacts=people)
        InterestFactory(holder=people[1])
        PracticeFactory(account=account)
        objective = ObjectiveFactory(account=account, source_contact=boss)
        OpportunityFactory(account=account).objectives.add(objective)
        services.override_set(user=owner, contact=boss, value=4, reason="met often", by=lead)
        services.level_set(user=owner, contact=boss, current="vendor", by=lead)
        quarters_for(account, [500_000] * 8, margin=Decimal("0.35"))
        AccountTactic.objects.create(account=account, kind="integrated", status="in_place")
        RebateAgreement.objects.create(
            account=account,
            name="Volume",
            starts_on=AS_OF,
            ends_on=AS_OF,
            steps=[{"threshold": "0", "rate": "1"}],
        )
        plan = _plans_world(account, owner, settings, tmp_path)
        MentorAssignmentFactory(account=account, mentor=mentor)
        review_record(account=account, by=mentor, verdict="endorsed", comment="ok", plan=plan)
        plan = plan_services.plan_create(account=account, period=period, by=lead)
        plan_services.competitor_create(plan=plan, by=lead, name="PT Rival")
        plan_services.action_create(plan=plan, by=lead, what="Visit Budi", owner=owner)
        plan_services.plan_submit(plan=plan, by=lead)
    scoring_run_execute(as_of=AS_OF, by=lead)
    for user in (lead, kam):
        Job.objects.create(kind="score", params={"as_of": AS_OF.isoformat()}, created_by=user)
    _priorities_world(lead, kam, team, ids)

    for kind, model in {
        "account": Account,
        "contact": Contact,
        "assessment": Assessment,
        "link": ContactLink,
        "interaction": Interaction,
        "interest": EntrenchedInterest,
        "practice": EntrenchedPractice,
        "objective": Objective,
        "opportunity": Opportunity,
        "override": RelationshipOverride,
        "level": RelationshipLevel,
        "job": Job,
        "tactic": AccountTactic,
        "agreement": RebateAgreement,
        "plan": Plan,
        "competitor": Competitor,
        "team_objective": TeamObjective,
        "action": Action,
        "review": MentorReview,
    }.items():
        ids[kind] = [str(p) for p in model.objects.values_list("public_id", flat=True)]
    SimulationRun.objects.create(
        created_by=lead, scenarios=100, seed=1, correlation=0.3, correlate_by="group"
    )
    ids["simulation"] = [str(p) for p in SimulationRun.objects.values_list("public_id", flat=True)]
    ids["code"] = list(Account.objects.values_list("code", flat=True))
    ids["username"] = ["lead", "kam", "other", "team", "mentor"]
    ids["plan"] = [str(p) for p in Plan.objects.values_list("public_id", flat=True)]
    ids["attachment"] = [str(p) for p in Attachment.objects.values_list("public_id", flat=True)]
    ids["checklist"] = [str(p) for p in CapabilityChecklist.objects.values_list("pk", flat=True)]
    ids["period"] = [period.pk]
    ids["criterion"] = list(SelectionCriterion.objects.values_list("key", flat=True))
    ids["tier"] = list(Tier.objects.values_list("code", flat=True))
    return {"lead": lead, "kam": kam, "ids": ids}


def _priorities_world(lead, kam, team, ids) -> None:
    """Time, money, pins and an allocation on every account (issue 12)."""
    from kam.core.models import Period
    from kam.priorities import services as priorities
    from kam.priorities.allocating import allocation_run
    from kam.priorities.models import Absence, AllocationRun, Expense, Pin, TimeEntry

    period = Period.objects.create(
        name="2024 Q4", starts_on=date(2024, 10, 1), ends_on=date(2024, 12, 31)
    )
    for account in Account.objects.all():
        owner = account.owner
        priorities.time_entry_log(
            account=account, user=owner, by=lead, spent_on=AS_OF, minutes=60, category="travel"
        )
        priorities.expense_record(
            account=account,
            user=owner,
            by=lead,
            spent_on=AS_OF,
            category="travel",
            amount=Decimal(100),
            currency="IDR",
        )
        priorities.pin_set(account=account, period=period, user=team, hours=Decimal(2), by=lead)
        priorities.budget_set(
            period=period, account=account, amount=Decimal(1000), currency="IDR", by=lead
        )
    for user in (lead, kam, team):
        priorities.absence_record(user=user, starts_on=AS_OF, ends_on=AS_OF, by=lead)
        priorities.capacity_set(user=user, period=period, hours_per_week=Decimal(30), by=lead)
    allocation_run(period=period, by=lead)
    allocation_run(period=period, by=kam, kam=kam)
    for user in (lead, kam):
        Job.objects.create(kind="allocate", params={"period": period.pk}, created_by=user)
    for kind, model in {
        "time_entry": TimeEntry,
        "expense": Expense,
        "absence": Absence,
        "pin": Pin,
        "allocation": AllocationRun,
    }.items():
        ids[kind] = [str(p) for p in model.objects.values_list("public_id", flat=True)]
    ids["period"] = [period.pk]


def _plans_world(account, owner, settings, tmp_path) -> Plan:
    """A plan with an attachment and a capability checklist (issue 11)."""
    settings.MEDIA_ROOT = tmp_path
    plan = PlanFactory(account=account)
    attachment_add(by=owner, upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4 x"), plan=plan)
    checklist_record(by=owner, account=account, answers={"competition": Answer(met=True)})
    return plan


@pytest.fixture
def in_process():
    """Requests run on the test's own connection, inside its transaction: Django's test
    client does the same (a request's end must not close the connection mid-test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _swap(case, data, ids) -> None:
    """Mostly, name a seeded record instead of a random one (so requests reach past the 404);
    now and then keep the random one."""

    def pick(kind):
        return data.draw(st.sampled_from(ids[kind])) if ids.get(kind) else None

    def swapping() -> bool:
        return data.draw(st.integers(0, 3)) > 0

    for container in (case.path_parameters, case.query):
        for name in list(container or {}):
            kind = KINDS.get(name)
            if kind and swapping():
                value = pick(kind)
                if value is not None:
                    container[name] = value
    if isinstance(case.body, dict):
        for name in list(case.body):
            if name in KINDS and swapping():
                case.body[name] = pick(KINDS[name])
            elif name in LIST_KINDS and swapping():
                case.body[name] = [pick(LIST_KINDS[name])]


def _summary(failure, case, response, logged) -> str:
    """One problem: what, the answer, the request as a curl command, and for a server error
    the end of the logged traceback."""
    lines = [
        f"{failure.title}: {failure.message.strip()[:600]}",
        f"  status {response.status_code}, answer {response.text[:300]!r}",
        f"  {case.as_curl_command()}",
    ]
    for record in logged:
        if record.exc_text:
            lines.append("  " + "\n  ".join(record.exc_text.splitlines()[-6:]))
    return "\n".join(lines)


@pytest.mark.parametrize(("operation", "role"), _cases())
def test_no_server_error_and_every_answer_as_documented(world, in_process, caplog, role, operation):
    headers = {"Authorization": f"Bearer {ApiToken.issue(user=world[role])[1]}"}
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    found: dict[str, str] = {}

    @settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_request(data):
        case = data.draw(strategy)
        _swap(case, data, world["ids"])
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="kam.api"):
            response = case.call(app=APP, headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            failures = group.exceptions
            if response.status_code >= 500:  # one server error, not also its undocumented 500
                failures = [f for f in failures if f.title == "Server error"] or failures
            for failure in failures:
                found.setdefault(failure.title, _summary(failure, case, response, caplog.records))

    one_request()
    assert not found, f"{operation.label} as {role}:\n" + "\n".join(found.values())


def test_every_operation_is_fuzzed():
    """A new operation is fuzzed without anyone adding it here."""
    documented = {
        (method.upper(), path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    assert {(op.method.upper(), op.path) for op in OPERATIONS} == documented
    assert len(documented) > 50
