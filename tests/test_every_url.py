"""Every page and every API operation, as every role (issue 9, item 9).

The URLs come from Django's URL resolver and the operations from the OpenAPI document, not
from a list kept by hand: a new URL or operation without a case below fails
``test_every_url_has_a_case``. Each case says who may use it; the tests then check that a
user who may not see the account gets 404, that a mentor writing gets 403 and that the user
who may gets through, and that the refusals change nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kam.accounts.models import AuditEntry, Stage
from kam.api.api import api as ninja_api
from kam.core.jobs import job_submit
from kam.core.models import Job, JobStatus
from kam.relationships.services import contact_record_departure
from kam.risk.models import SimulationRun
from kam.users.models import ApiToken, Role
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MentorAssignmentFactory,
    UserFactory,
)
from tests.worlds import TODAY, one_of_everything, plans_world

# Who may use a URL or an operation.
READ = "read"  # anyone who sees the account (the mentor too)
TEAM = "team"  # the account's KAM, its team and the lead write; the mentor reads only
KAM = "kam"  # the account's KAM and the lead
LEAD = "lead"  # the programme lead only
ANYONE = "anyone"  # any logged-in user; not about one account
LIST = "list"  # a list any logged-in user may ask for, limited to the accounts they see
OWN = "own"  # the caller's own object (a job they started): anyone else gets 404
MENTOR = "mentor"  # the account's mentor only (a review): its KAM gets 403
REMARK = "remark"  # the team and the lead write, and so does the account's mentor (a remark)


@dataclass(frozen=True)
class Case:
    """How to call one URL or operation, and who may."""

    who: str
    kwargs: dict = field(default_factory=dict)  # URL parameters (pages) or path ones (API)
    params: dict | None = None  # query string
    body: dict | None = None  # JSON body (API) or form fields (pages)
    htmx: bool = False  # a fragment: fetched as HTMX does (opened directly it redirects)
    upload: bool = False  # the API body goes as multipart form data with a PDF as ``file``
    upload_file: tuple[str, bytes] = ("a.pdf", b"%PDF-1.4 x")  # the file ``upload`` sends


# -- the API, keyed by (method, path) as the OpenAPI document names them ---------------------
C = "/api/v1/contacts"
P = "/api/v1/planning"
S = "/api/v1/selection"
A = "/api/v1/accounts"
R = "/api/v1/risk"
PL = "/api/v1/plans"
T = "/api/v1/tactics"
PR = "/api/v1/priorities"
ACCOUNT = {"account": "{account}"}
SUBMITTED = {"plan_id": "{submitted_plan}"}

PERIOD = {"period": "{period}"}
ENTRY = {"account": "{account}", "spent_on": "2026-11-02", "minutes": 30, "category": "travel"}
MONEY = {"amount": "150.00", "currency": "IDR"}
API_CASES: dict[tuple[str, str], Case] = {
    ("GET", f"{PR}/time-entries"): Case(LIST),
    ("POST", f"{PR}/time-entries"): Case(TEAM, body=ENTRY),
    ("PATCH", f"{PR}/time-entries/{{entry_id}}"): Case(
        TEAM, kwargs={"entry_id": "{time_entry}"}, body={"minutes": 40}
    ),
    ("DELETE", f"{PR}/time-entries/{{entry_id}}"): Case(TEAM, kwargs={"entry_id": "{time_entry}"}),
    ("GET", f"{PR}/hours"): Case(LIST, params=PERIOD),
    ("GET", f"{PR}/capacities"): Case(LIST),
    ("PUT", f"{PR}/capacities"): Case(
        LEAD, body={**PERIOD, "user": "alice", "hours_per_week": "30"}
    ),
    ("GET", f"{PR}/absences"): Case(LIST),
    ("POST", f"{PR}/absences"): Case(
        ANYONE, body={"starts_on": "2026-11-03", "ends_on": "2026-11-04"}
    ),
    ("DELETE", f"{PR}/absences/{{absence_id}}"): Case(OWN, kwargs={"absence_id": "{absence}"}),
    ("GET", f"{PR}/budgets"): Case(LIST),
    ("PUT", f"{PR}/budgets"): Case(KAM, body={**PERIOD, **ACCOUNT, **MONEY}),
    ("GET", f"{PR}/expenses"): Case(LIST),
    ("POST", f"{PR}/expenses"): Case(
        TEAM, body={**ACCOUNT, **MONEY, "spent_on": "2026-11-02", "category": "samples"}
    ),
    ("DELETE", f"{PR}/expenses/{{expense_id}}"): Case(TEAM, kwargs={"expense_id": "{expense}"}),
    ("POST", f"{PR}/allocations"): Case(LEAD, body=PERIOD),
    ("GET", f"{PR}/allocation-jobs/{{job_id}}"): Case(OWN, kwargs={"job_id": "{allocate_job}"}),
    ("GET", f"{PR}/allocations"): Case(LIST),
    ("GET", f"{PR}/allocations/{{allocation_id}}"): Case(
        ANYONE, kwargs={"allocation_id": "{allocation}"}
    ),
    ("GET", f"{PR}/allocations/{{allocation_id}}/lines"): Case(
        LIST, kwargs={"allocation_id": "{allocation}"}
    ),
    ("GET", f"{PR}/pins"): Case(LIST),
    ("PUT", f"{PR}/pins"): Case(KAM, body={**ACCOUNT, **PERIOD, "user": "bob", "hours": "6"}),
    ("DELETE", f"{PR}/pins/{{pin_id}}"): Case(KAM, kwargs={"pin_id": "{pin}"}),
    ("GET", f"{PR}/value-settings"): Case(ANYONE),
    ("PUT", f"{PR}/value-settings"): Case(LEAD, body={"decay": 0.6}),
    ("GET", A): Case(LIST),
    ("GET", f"{A}/{{account_id}}"): Case(READ),
    ("GET", f"{A}/{{account_id}}/team"): Case(READ),
    ("GET", f"{A}/{{account_id}}/stage-history"): Case(READ),
    ("POST", A): Case(
        LEAD,
        body={
            "code": "C-900",
            "name": "PT Baru Sejahtera",
            "country": "ID",
            "currency": "IDR",
            "industry": "{industry}",
        },
    ),
    ("PATCH", f"{A}/{{account_id}}"): Case(LEAD, body={"name": "PT Sinar Abadi"}),
    ("POST", f"{A}/{{account_id}}/stage"): Case(KAM, body={"to_stage": Stage.IMPLEMENTATION}),
    ("GET", f"{A}/{{account_id}}/members"): Case(READ),
    ("POST", f"{A}/{{account_id}}/members"): Case(KAM, body={"user": "tom", "role": "engineer"}),
    ("PATCH", f"{A}/{{account_id}}/members/{{username}}"): Case(
        KAM, kwargs={"username": "bob"}, body={"role": "scheduler"}
    ),
    ("DELETE", f"{A}/{{account_id}}/members/{{username}}"): Case(KAM, kwargs={"username": "bob"}),
    ("GET", f"{A}/{{account_id}}/mentors"): Case(READ),
    ("POST", f"{A}/{{account_id}}/mentors"): Case(LEAD, body={"mentor": "max"}),
    ("DELETE", f"{A}/{{account_id}}/mentors/{{username}}"): Case(LEAD, kwargs={"username": "mia"}),
    ("GET", C): Case(LIST),
    ("POST", C): Case(TEAM, body={"account": "{account}", "name": "Dewi Lestari"}),
    ("GET", f"{C}/{{contact_id}}"): Case(READ),
    ("PATCH", f"{C}/{{contact_id}}"): Case(TEAM, body={"title": "Direktur"}),
    ("DELETE", f"{C}/{{contact_id}}"): Case(TEAM),
    ("POST", f"{C}/{{contact_id}}/departure"): Case(TEAM, body={"left_on": "2026-11-20"}),
    # Rejoining names a new account; the fixture's other account is alice's too.
    ("POST", f"{C}/{{contact_id}}/rejoin"): Case(TEAM, body={"account": "{second}"}),
    # A read through the API (the mentor too: tests/relationships/test_privacy.py); the page's
    # download is recorded as the data controller's act, for the KAM and the lead.
    ("GET", f"{C}/{{contact_id}}/export"): Case(READ),
    ("POST", f"{C}/{{contact_id}}/erase"): Case(KAM, body={"reason": "asked"}),
    ("PUT", f"{C}/{{contact_id}}/successor"): Case(
        TEAM, kwargs={"contact_id": "{dedi}"}, body={"successor": "{siti}"}
    ),
    ("GET", f"{C}/departures"): Case(READ, params=ACCOUNT),
    ("GET", f"{C}/{{contact_id}}/assessments"): Case(READ),
    ("POST", f"{C}/{{contact_id}}/assessments"): Case(TEAM, body={"attitude": "opponent"}),
    ("PATCH", f"{C}/assessments/{{assessment_id}}"): Case(TEAM, body={"note": "typo"}),
    ("DELETE", f"{C}/assessments/{{assessment_id}}"): Case(TEAM),
    ("GET", f"{C}/links"): Case(LIST),
    ("POST", f"{C}/links"): Case(
        TEAM, body={"source": "{siti}", "target": "{budi}", "kind": "allied_with"}
    ),
    ("PATCH", f"{C}/links/{{link_id}}"): Case(TEAM, body={"note": "x"}),
    ("DELETE", f"{C}/links/{{link_id}}"): Case(TEAM),
    ("GET", f"{C}/interactions"): Case(LIST),
    ("POST", f"{C}/interactions"): Case(
        TEAM,
        body={
            "account": "{account}",
            "kind": "call",
            "occurred_on": "2026-11-01",
            "their_participants": ["{budi}"],
        },
    ),
    ("PATCH", f"{C}/interactions/{{interaction_id}}"): Case(TEAM, body={"notes": "x"}),
    ("DELETE", f"{C}/interactions/{{interaction_id}}"): Case(TEAM),
    ("GET", f"{C}/interests"): Case(LIST),
    ("POST", f"{C}/interests"): Case(
        TEAM, body={"holder": "{budi}", "kind": "other", "threat_level": 3}
    ),
    ("PATCH", f"{C}/interests/{{interest_id}}"): Case(TEAM, body={"threat_level": 5}),
    ("DELETE", f"{C}/interests/{{interest_id}}"): Case(TEAM),
    ("GET", f"{C}/interests/{{interest_id}}/history"): Case(READ),
    ("GET", f"{C}/practices"): Case(LIST),
    ("POST", f"{C}/practices"): Case(TEAM, body={"account": "{account}", "description": "x"}),
    ("PATCH", f"{C}/practices/{{practice_id}}"): Case(TEAM, body={"workaround": "y"}),
    ("DELETE", f"{C}/practices/{{practice_id}}"): Case(TEAM),
    ("GET", f"{C}/strengths"): Case(READ, params=ACCOUNT),
    ("GET", f"{C}/overrides"): Case(LIST),
    ("PUT", f"{C}/overrides"): Case(
        TEAM, body={"user": "bob", "contact": "{budi}", "value": 10, "reason": "x"}
    ),
    ("DELETE", f"{C}/overrides/{{override_id}}"): Case(TEAM),
    ("GET", f"{C}/levels"): Case(LIST),
    ("PUT", f"{C}/levels"): Case(
        TEAM, body={"user": "bob", "contact": "{budi}", "current": "problem_solver"}
    ),
    ("DELETE", f"{C}/levels/{{level_id}}"): Case(TEAM),
    ("GET", f"{C}/analyses"): Case(READ, params=ACCOUNT),
    ("GET", f"{C}/map.svg"): Case(READ, params=ACCOUNT),
    ("GET", f"{C}/audit"): Case(TEAM, params=ACCOUNT),
    ("GET", f"{C}/vocabulary"): Case(ANYONE),
    ("PUT", f"{C}/vocabulary"): Case(LEAD, body={"style": "chess"}),
    ("GET", f"{S}/criteria"): Case(ANYONE),
    ("PATCH", f"{S}/criteria/{{key}}"): Case(LEAD, kwargs={"key": "revenue"}, body={"weight": 3}),
    ("GET", f"{S}/tiers"): Case(ANYONE),
    ("GET", f"{S}/register"): Case(ANYONE),
    ("GET", f"{S}/scores"): Case(LIST),
    ("GET", f"{S}/flags"): Case(LIST),
    ("GET", f"{S}/accounts/{{account_id}}/score"): Case(READ),
    ("GET", f"{S}/accounts/{{account_id}}/ratings"): Case(READ),
    ("POST", f"{S}/accounts/{{account_id}}/ratings"): Case(
        TEAM, body={"key": "openness", "value": 4, "note": "open to us"}
    ),
    ("POST", f"{S}/accounts/{{account_id}}/override"): Case(
        LEAD, body={"tier_code": "gold", "reason": "strategic"}
    ),
    ("POST", f"{S}/runs"): Case(LEAD),
    ("GET", f"{S}/jobs/{{job_id}}"): Case(OWN),
    ("POST", f"{S}/jobs/{{job_id}}/rerun"): Case(OWN, body={}),
    ("GET", f"{P}/objectives"): Case(LIST),
    ("POST", f"{P}/objectives"): Case(
        TEAM, body={"account": "{account}", "description": "x", "horizon": "long_term"}
    ),
    ("GET", f"{P}/objectives/{{objective_id}}"): Case(READ),
    ("PATCH", f"{P}/objectives/{{objective_id}}"): Case(TEAM, body={"status": "achieved"}),
    ("DELETE", f"{P}/objectives/{{objective_id}}"): Case(TEAM),
    ("GET", f"{P}/opportunities"): Case(LIST),
    ("POST", f"{P}/opportunities"): Case(
        TEAM, body={"account": "{account}", "name": "x", "value": "5", "probability": 10}
    ),
    ("GET", f"{P}/opportunities/{{opportunity_id}}"): Case(READ),
    ("PATCH", f"{P}/opportunities/{{opportunity_id}}"): Case(TEAM, body={"probability": 90}),
    ("DELETE", f"{P}/opportunities/{{opportunity_id}}"): Case(TEAM),
    ("GET", f"{P}/horizons"): Case(READ, params=ACCOUNT),
    ("GET", f"{PL}/periods"): Case(ANYONE),
    ("POST", f"{PL}/periods"): Case(
        LEAD, body={"name": "FY2029", "starts_on": "2028-07-01", "ends_on": "2029-06-30"}
    ),
    ("GET", f"{PL}/periods/{{period_id}}"): Case(ANYONE),
    ("PATCH", f"{PL}/periods/{{period_id}}"): Case(LEAD, body={"name": "FY 2027"}),
    ("DELETE", f"{PL}/periods/{{period_id}}"): Case(LEAD, kwargs={"period_id": "{empty_period}"}),
    ("GET", f"{PL}/"): Case(LIST),
    ("POST", f"{PL}/"): Case(TEAM, body={"account": "{account}", "period": "{empty_period}"}),
    ("GET", f"{PL}/{{plan_id}}"): Case(READ),
    ("PATCH", f"{PL}/{{plan_id}}"): Case(TEAM, body={"strategy": "Grow hinges"}),
    ("PUT", f"{PL}/{{plan_id}}/signers"): Case(KAM, body={"required_signers": ["bob"]}),
    ("POST", f"{PL}/{{plan_id}}/submit"): Case(KAM, body={}),
    ("POST", f"{PL}/{{plan_id}}/withdraw"): Case(KAM, kwargs=SUBMITTED, body={}),
    ("POST", f"{PL}/{{plan_id}}/close"): Case(KAM, body={}),
    ("POST", f"{PL}/{{plan_id}}/sign-offs"): Case(
        TEAM, kwargs=SUBMITTED, body={"decision": "agreed"}
    ),
    ("GET", f"{PL}/{{plan_id}}/versions"): Case(READ, kwargs=SUBMITTED),
    ("GET", f"{PL}/{{plan_id}}/versions/{{number}}"): Case(
        READ, kwargs={**SUBMITTED, "number": "1"}
    ),
    ("GET", f"{PL}/{{plan_id}}/diff"): Case(READ, kwargs=SUBMITTED, params={"older": 1}),
    ("GET", f"{PL}/{{plan_id}}/competitors"): Case(READ),
    ("POST", f"{PL}/{{plan_id}}/competitors"): Case(TEAM, body={"name": "PT Saingan"}),
    ("GET", f"{PL}/competitors/{{competitor_id}}"): Case(READ),
    ("PATCH", f"{PL}/competitors/{{competitor_id}}"): Case(TEAM, body={"position": "cheaper"}),
    ("DELETE", f"{PL}/competitors/{{competitor_id}}"): Case(TEAM),
    ("GET", f"{PL}/{{plan_id}}/team-objectives"): Case(READ),
    ("POST", f"{PL}/{{plan_id}}/team-objectives"): Case(TEAM, body={"title": "Be first"}),
    ("GET", f"{PL}/team-objectives/{{team_objective_id}}"): Case(READ),
    ("PATCH", f"{PL}/team-objectives/{{team_objective_id}}"): Case(TEAM, body={"measure": "x"}),
    ("DELETE", f"{PL}/team-objectives/{{team_objective_id}}"): Case(TEAM),
    ("GET", f"{PL}/{{plan_id}}/actions"): Case(READ),
    ("POST", f"{PL}/{{plan_id}}/actions"): Case(TEAM, body={"what": "Call Siti"}),
    ("GET", f"{PL}/actions/{{action_id}}"): Case(READ),
    ("PATCH", f"{PL}/actions/{{action_id}}"): Case(TEAM, body={"status": "done"}),
    ("DELETE", f"{PL}/actions/{{action_id}}"): Case(TEAM),
    ("GET", f"{R}/accounts/{{account_id}}/health"): Case(READ),
    ("POST", f"{R}/accounts/{{account_id}}/health"): Case(TEAM, body={}),
    ("POST", f"{R}/health"): Case(LEAD, body={}),
    ("GET", f"{R}/accounts/{{account_id}}/loss"): Case(READ),
    ("POST", f"{R}/accounts/{{account_id}}/loss/override"): Case(
        KAM, body={"probability": 0.3, "reason": "tender announced"}
    ),
    ("POST", f"{R}/scenarios"): Case(LEAD, body={"top": 1}),
    ("POST", f"{R}/simulations"): Case(LEAD, body={"scenarios": 100, "seed": 1}),
    ("GET", f"{R}/simulations"): Case(LEAD),
    ("GET", f"{R}/simulations/{{run_id}}"): Case(LEAD),
    ("GET", f"{R}/jobs/{{job_id}}"): Case(OWN),
    ("GET", f"{PL}/{{plan_id}}/monitoring"): Case(READ),
    ("GET", f"{PL}/{{plan_id}}/quality"): Case(READ),
    ("GET", f"{PL}/reviews"): Case(LIST),
    ("POST", f"{PL}/reviews"): Case(
        MENTOR, body={"account": "{account}", "verdict": "endorsed", "comment": "Sound."}
    ),
    # The programme's plans, attachments and capability checklists (issue 11).
    ("GET", f"{PL}/programme"): Case(LIST),
    ("GET", f"{PL}/attachments"): Case(LIST),
    ("POST", f"{PL}/attachments"): Case(TEAM, body={"plan": "{plan}"}, upload=True),
    ("GET", f"{PL}/attachments/{{attachment_id}}"): Case(READ),
    ("GET", f"{PL}/attachments/{{attachment_id}}/file"): Case(READ),
    ("DELETE", f"{PL}/attachments/{{attachment_id}}"): Case(TEAM),
    ("GET", f"{PL}/attachments/{{attachment_id}}/comments"): Case(READ),
    ("POST", f"{PL}/attachments/{{attachment_id}}/comments"): Case(REMARK, body={"comment": "x"}),
    ("GET", f"{PL}/capabilities/items"): Case(ANYONE),
    ("GET", f"{PL}/capabilities"): Case(LIST),
    ("POST", f"{PL}/capabilities"): Case(
        TEAM, body={"account": "{account}", "answers": [{"item": "competition", "met": True}]}
    ),
    ("GET", f"{PL}/capabilities/{{checklist_id}}"): Case(READ),
    ("GET", f"{T}/tactics"): Case(LIST),
    ("POST", f"{T}/tactics"): Case(
        TEAM, body={"account": "{account}", "kind": "priority", "status": "planned"}
    ),
    ("GET", f"{T}/tactics/{{tactic_id}}"): Case(READ),
    ("PATCH", f"{T}/tactics/{{tactic_id}}"): Case(TEAM, body={"terms": "x"}),
    ("DELETE", f"{T}/tactics/{{tactic_id}}"): Case(TEAM),
    ("GET", f"{T}/rebate-agreements"): Case(LIST),
    ("POST", f"{T}/rebate-agreements"): Case(
        TEAM,
        body={
            "account": "{account}",
            "name": "Y",
            "starts_on": "2030-01-01",
            "ends_on": "2030-12-31",
            "steps": [{"threshold": "0", "rate": "1"}],
        },
    ),
    ("GET", f"{T}/rebate-agreements/{{agreement_id}}"): Case(READ),
    ("PATCH", f"{T}/rebate-agreements/{{agreement_id}}"): Case(TEAM, body={"terms": "x"}),
    ("DELETE", f"{T}/rebate-agreements/{{agreement_id}}"): Case(TEAM),
    ("GET", f"{T}/accounts/{{account_id}}/profit"): Case(READ),
    ("GET", f"{T}/accounts/{{account_id}}/exit-barriers"): Case(READ),
    ("GET", f"{T}/accounts/{{account_id}}/contingency"): Case(READ),
    ("PATCH", f"{T}/accounts/{{account_id}}/contingency"): Case(TEAM, body={"actions": "x"}),
    ("GET", f"{T}/tiers"): Case(ANYONE),
    ("PUT", f"{T}/tiers/{{tier}}/{{kind}}"): Case(
        LEAD, kwargs={"tier": "gold", "kind": "integrated"}, body={"status": "in_place"}
    ),
    ("GET", f"{T}/tiers/profit"): Case(LIST),
    ("GET", "/api/v1/priorities/alarms"): Case(LIST),
    ("GET", "/api/v1/priorities/my-week"): Case(LIST),
    ("GET", "/api/v1/priorities/senior-visits"): Case(LIST),
    ("GET", f"{PR}/people-time"): Case(LIST, params=PERIOD),
    ("GET", f"{PR}/accounts/{{account_id}}/people-time"): Case(READ, params=PERIOD),
    ("GET", f"{PR}/activity-alarms"): Case(LIST),
    ("GET", f"{PR}/expected-activities"): Case(ANYONE),
    ("PUT", f"{PR}/expected-activities/{{scope}}/{{key}}"): Case(
        LEAD,
        kwargs={"scope": "stage", "key": "review"},
        body={"kinds": ["business_review"], "within_days": 60},
    ),
    ("POST", f"{PR}/senior-visits/{{account_id}}/accept"): Case(TEAM),
    ("POST", f"{PR}/senior-visits/{{account_id}}/dismiss"): Case(TEAM, body={"reason": "x"}),
    ("POST", f"{PR}/tasks/{{task_id}}/done"): Case(TEAM, kwargs={"task_id": "{task}"}, body={}),
    ("POST", f"{PR}/calendar/import"): Case(
        ANYONE, body={}, upload=True, upload_file=("c.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    ),
    ("GET", f"{PR}/calendar/to-resolve"): Case(LIST),
    ("PUT", f"{PR}/calendar/addresses"): Case(ANYONE, body={"email": "x@example.com"}),
    ("GET", f"{PR}/workload"): Case(ANYONE, params={"period": "{period}"}),
    ("GET", f"{PR}/settings/digest"): Case(ANYONE),
    ("POST", f"{PR}/workload/moves"): Case(LEAD, body={"account": "{account}", "to": "alice"}),
}

# Path parameters of the API: which object of the fixture's world each one names.
API_PARAMETERS = {
    "account_id": "account",
    "contact_id": "budi",
    "assessment_id": "assessment",
    "link_id": "link",
    "interaction_id": "interaction",
    "interest_id": "interest",
    "practice_id": "practice",
    "override_id": "override",
    "level_id": "level",
    "objective_id": "objective",
    "opportunity_id": "opportunity",
    "job_id": "job",
    "period_id": "period",
    "run_id": "simulation",
    "plan_id": "plan",
    "competitor_id": "competitor",
    "team_objective_id": "team_objective",
    "action_id": "action",
    "attachment_id": "attachment",
    "checklist_id": "checklist",
    "tactic_id": "tactic",
    "agreement_id": "agreement",
}

# -- the pages, keyed by URL name ------------------------------------------------------------
PAGE_CASES: dict[str, Case] = {
    "accounts:dashboard": Case(ANYONE),
    "accounts:account_list": Case(ANYONE),
    "accounts:account_detail": Case(READ, kwargs={"public_id": "{account}"}),
    "accounts:account_stage": Case(
        KAM,
        kwargs={"public_id": "{account}"},
        body={"to_stage": Stage.IMPLEMENTATION, "expected_stage": Stage.PRE_SALES, "note": "x"},
    ),
    "accounts:account_new": Case(
        LEAD,
        body={
            "code": "C-901",
            "name": "PT Baru Sejahtera",
            "country": "ID",
            "currency": "IDR",
            "industry": "{industry}",
            "coverage": "local",
            "owner": "alice",
        },
    ),
    "accounts:account_edit": Case(
        LEAD,
        kwargs={"public_id": "{account}"},
        body={
            "code": "C-902",
            "name": "PT Sinar Abadi",
            "country": "ID",
            "currency": "IDR",
            "industry": "{industry}",
            "coverage": "local",
            "owner": "alice",
        },
    ),
    "accounts:account_team": Case(KAM, kwargs={"public_id": "{account}"}),
    "accounts:team_add": Case(
        KAM, kwargs={"public_id": "{account}"}, body={"user": "tom", "role": "engineer"}
    ),
    "accounts:team_change": Case(
        KAM,
        kwargs={"public_id": "{account}", "username": "bob"},
        body={"m-bob-role": "engineer", "m-bob-since": "2026-01-05"},
    ),
    "accounts:team_remove": Case(
        KAM, kwargs={"public_id": "{account}", "username": "bob"}, body={}
    ),
    "accounts:mentor_add": Case(LEAD, kwargs={"public_id": "{account}"}, body={"mentor": "max"}),
    "accounts:mentor_remove": Case(
        LEAD, kwargs={"public_id": "{account}", "username": "mia"}, body={}
    ),
    "plans:periods": Case(LEAD),
    "plans:period_edit": Case(
        LEAD,
        kwargs={"period_id": "{period}"},
        body={"name": "FY 2027", "starts_on": "2026-01-01", "ends_on": "2027-12-31"},
    ),
    "plans:period_delete": Case(
        LEAD, kwargs={"period_id": "{empty_period}"}, body={"delete-confirm": "on"}
    ),
    "ledger:import": Case(LEAD),
    "selection:key_accounts": Case(LIST),
    "selection:export": Case(LIST, kwargs={"fmt": "csv"}),
    "selection:scorecard": Case(READ, kwargs={"public_id": "{account}"}),
    "selection:rating_add": Case(
        TEAM,
        kwargs={"public_id": "{account}"},
        body={"key": "openness", "value": "4", "note": "open to us"},
    ),
    "selection:override": Case(
        LEAD,
        kwargs={"public_id": "{account}"},
        body={"tier_code": "gold", "reason": "strategic"},
    ),
    "selection:cost_to_serve": Case(
        KAM, kwargs={"public_id": "{account}"}, body={"cost_to_serve": "1000"}
    ),
    "selection:register": Case(ANYONE),
    "selection:portfolio": Case(LIST),
    "selection:concentration": Case(LIST),
    "selection:settings": Case(LEAD),
    "selection:rescore": Case(LEAD, body={}),
    "selection:scoring_period": Case(LEAD, body={"window_months": "6", "comparison_months": "12"}),
    "tactics:account": Case(READ, kwargs={"public_id": "{account}"}),
    "tactics:tactic_save": Case(
        TEAM,
        kwargs={"public_id": "{account}"},
        body={"kind_prefix": "priority", "priority-kind": "priority", "priority-status": "planned"},
    ),
    "tactics:agreement_save": Case(
        TEAM,
        kwargs={"public_id": "{account}"},
        body={
            "form_prefix": "new",
            "new-name": "Z",
            "new-starts_on": "2031-01-01",
            "new-ends_on": "2031-12-31",
            "new-basis": "revenue",
            "new-steps": "0 1",
        },
    ),
    "tactics:contingency_save": Case(
        TEAM, kwargs={"public_id": "{account}"}, body={"actions": "Call the CEO"}
    ),
    "tactics:tiers": Case(ANYONE),
    "tactics:tier_tactic_save": Case(
        LEAD,
        body={
            "form_prefix": "x",
            "x-tier": "{tier_pk}",
            "x-kind": "priority",
            "x-status": "planned",
        },
    ),
    "tactics:contingency_missing": Case(LIST),
    "selection:job": Case(OWN, kwargs={"public_id": "{job}"}),
    "selection:job_run_again": Case(OWN, kwargs={"public_id": "{job}"}, body={}),
    "relationships:account_detail": Case(READ, kwargs={"public_id": "{account}"}),
    "relationships:account_summary": Case(READ, kwargs={"public_id": "{account}"}, htmx=True),
    "relationships:people_search": Case(
        READ, kwargs={"public_id": "{account}"}, params={"q": "Budi", "field": "x"}, htmx=True
    ),
    "relationships:interaction_list": Case(READ, kwargs={"public_id": "{account}"}, htmx=True),
    "relationships:record": Case(
        TEAM,
        kwargs={"public_id": "{account}", "kind": "assessment"},
        body={
            "as-contact": "{budi}",
            "as-attitude": "supporter",
            "as-influence_trend": "steady",
        },
    ),
    "relationships:edit": Case(
        TEAM,
        kwargs={"public_id": "{account}", "kind": "practice", "record_id": "{practice}"},
        body={
            "description": "Local only",
            "workaround": "A local partner",
            "recorded_on": "2026-11-22",
        },
    ),
    "relationships:delete": Case(
        TEAM,
        kwargs={"public_id": "{account}", "kind": "link", "record_id": "{link}"},
        body={"delete-confirm": "on"},
    ),
    "relationships:pair": Case(
        TEAM,
        kwargs={"public_id": "{budi}", "user_id": "{bob_pk}"},
        body={"action": "level", "level-current": "credible_source"},
    ),
    "relationships:vocabulary": Case(LEAD, body={"style": "chess"}),
    "relationships:contact_rejoin": Case(
        TEAM, kwargs={"public_id": "{budi}"}, body={"account": "{second}", "title": "Buyer"}
    ),
    "relationships:contact_successor": Case(
        TEAM, kwargs={"public_id": "{dedi}"}, body={"successor": "{siti}", "hand_over": "on"}
    ),
    "relationships:map_detail": Case(READ, kwargs={"public_id": "{account}"}),
    "relationships:map_panel": Case(
        READ, kwargs={"public_id": "{account}", "contact_id": "{budi_pk}"}, htmx=True
    ),
    "relationships:map_export_svg": Case(READ, kwargs={"public_id": "{account}"}),
    "relationships:map_export_png": Case(READ, kwargs={"public_id": "{account}"}),
    "relationships:contact_detail": Case(READ, kwargs={"public_id": "{budi}"}),
    "relationships:contact_export": Case(KAM, kwargs={"public_id": "{budi}"}, body={}),
    "relationships:contact_erase": Case(KAM, kwargs={"public_id": "{budi}"}),
    "plans:account_plan": Case(READ, kwargs={"public_id": "{account}"}),
    "plans:plan_start": Case(
        TEAM, kwargs={"public_id": "{account}"}, body={"period": "{empty_period}"}
    ),
    "plans:period_add": Case(
        LEAD,
        kwargs={"public_id": "{account}"},
        body={"name": "FY2029", "starts_on": "2028-07-01", "ends_on": "2029-06-30"},
    ),
    "plans:section_edit": Case(
        TEAM, kwargs={"plan_id": "{plan}", "section": "strategy"}, body={"strategy": "Grow"}
    ),
    "plans:item_add": Case(
        TEAM, kwargs={"plan_id": "{plan}", "kind": "competitor"}, body={"name": "PT Saingan"}
    ),
    "plans:item_edit": Case(
        TEAM,
        kwargs={"plan_id": "{plan}", "kind": "action", "item_id": "{action}"},
        body={"what": "Visit Budi and Siti", "status": "open"},
    ),
    "plans:account_item_add": Case(
        TEAM,
        kwargs={"plan_id": "{plan}", "kind": "customer-objective"},
        body={"description": "Export to Japan", "horizon": "long_term", "status": "open"},
    ),
    "plans:account_item_edit": Case(
        TEAM,
        kwargs={"plan_id": "{plan}", "kind": "customer-objective", "item_id": "{objective}"},
        body={
            "description": "Cut costs by 10%",
            "horizon": "short_term",
            "status": "open",
            "recorded_on": "2026-09-01",
        },
    ),
    "plans:workflow_step": Case(KAM, kwargs={"plan_id": "{plan}", "step": "submit"}, body={}),
    "plans:version_detail": Case(READ, kwargs={"plan_id": "{submitted_plan}", "number": 1}),
    "plans:version_diff": Case(READ, kwargs={"plan_id": "{submitted_plan}"}),
    "priorities:time": Case(ANYONE),
    "priorities:time_log": Case(
        TEAM,
        body={
            "entry-account": "{account}",
            "entry-user": "{alice_pk}",
            "entry-spent_on": "2026-11-02",
            "entry-minutes": "30",
            "entry-category": "travel",
        },
    ),
    "priorities:time_delete": Case(TEAM, kwargs={"public_id": "{time_entry}"}, body={}),
    "priorities:time_edit": Case(
        TEAM,
        kwargs={"public_id": "{time_entry}"},
        body={
            "user": "{alice_pk}",
            "spent_on": "2026-11-02",
            "minutes": "40",
            "category": "travel",
        },
    ),
    "priorities:expense_record": Case(
        TEAM,
        body={
            "expense-account": "{account}",
            "expense-user": "{alice_pk}",
            "expense-spent_on": "2026-11-02",
            "expense-category": "travel",
            "expense-amount": "90",
            "expense-currency": "IDR",
        },
    ),
    "priorities:expense_delete": Case(TEAM, kwargs={"public_id": "{expense}"}, body={}),
    "priorities:capacity_set": Case(
        LEAD,
        body={"period": "{period}", "capacity-user": "{alice_pk}", "capacity-hours_per_week": "30"},
    ),
    "priorities:absence_delete": Case(OWN, kwargs={"public_id": "{absence}"}, body={}),
    "priorities:budget_set": Case(
        KAM,
        body={
            "period": "{period}",
            "budget-account": "{account}",
            "budget-amount": "500",
            "budget-currency": "IDR",
        },
    ),
    "priorities:allocation": Case(ANYONE),
    "priorities:allocation_solve": Case(ANYONE, body={"period": "{period}"}),
    "priorities:allocation_job": Case(OWN, kwargs={"public_id": "{allocate_job}"}),
    "priorities:pin_set": Case(
        KAM,
        body={
            "period": "{period}",
            "pin-account": "{account}",
            "pin-user": "{bob_pk}",
            "pin-hours": "5",
        },
    ),
    "priorities:pin_clear": Case(KAM, kwargs={"public_id": "{pin}"}, body={}),
    "priorities:value_settings": Case(LEAD, body={"value-decay": "0.6"}),
    "risk:overview": Case(LIST),
    "risk:health_recompute_all": Case(LEAD, body={}),
    "risk:simulate": Case(LEAD, body={"scenarios": "100", "seed": "1"}),
    "risk:job": Case(OWN, kwargs={"public_id": "{job}"}),
    "risk:account": Case(READ, kwargs={"public_id": "{account}"}),
    "risk:account_panel": Case(READ, kwargs={"public_id": "{account}"}, htmx=True),
    "risk:loss_override": Case(
        KAM, kwargs={"public_id": "{account}"}, body={"probability": "0.3", "reason": "tender"}
    ),
    "risk:health_recompute": Case(TEAM, kwargs={"public_id": "{account}"}, body={}),
    "plans:programme": Case(LIST),
    "priorities:week": Case(LIST),
    "priorities:people_time": Case(LIST),
    "priorities:account": Case(READ, kwargs={"public_id": "{account}"}),
    "priorities:expected_activities": Case(
        LEAD, body={"scope": "stage", "key": "review", "kinds": "pilot", "within_days": "60"}
    ),
    "priorities:visit_accept": Case(TEAM, kwargs={"public_id": "{account}"}, body={}),
    "priorities:task_done": Case(TEAM, kwargs={"public_id": "{task}"}, body={}),
    "priorities:visit_dismiss": Case(TEAM, kwargs={"public_id": "{account}"}, body={"reason": "x"}),
    "priorities:calendar": Case(ANYONE),
    "priorities:settings": Case(ANYONE),
    "priorities:workload": Case(ANYONE, params={"period": "{period}"}),
    "priorities:workload_move": Case(LEAD, body={"account": "{account}", "to": "{alice_pk}"}),
    "plans:programme_export": Case(LIST, kwargs={"fmt": "csv"}),
    "plans:plan_follow": Case(READ, kwargs={"public_id": "{plan}"}),
    "plans:review_add": Case(
        MENTOR,
        kwargs={"public_id": "{plan}"},
        body={"reviewed_on": "2026-11-22", "verdict": "endorsed", "comment": "Sound."},
    ),
    "plans:plan_print": Case(READ, kwargs={"public_id": "{plan}"}),
    "plans:plan_attachments": Case(READ, kwargs={"public_id": "{plan}"}),
    "plans:opportunity_attachments": Case(READ, kwargs={"public_id": "{opportunity}"}),
    "plans:attachment_download": Case(READ, kwargs={"public_id": "{attachment}"}),
    "plans:attachment_comment": Case(
        REMARK, kwargs={"public_id": "{attachment}"}, body={"comment": "x"}
    ),
    "plans:attachment_delete": Case(TEAM, kwargs={"public_id": "{attachment}"}, body={}),
    "plans:account_capabilities": Case(READ, kwargs={"public_id": "{account}"}),
    "plans:kam_capabilities": Case(OWN, kwargs={"username": "alice"}),
}
# URLs outside the scope of this test, with the reason.
PAGES_ELSEWHERE = {
    "login": "public by design",
    "accounts:user_search": "the lead's and KAMs' user picker (no account): "
    "tests/accounts/test_page_edits.py",
    "logout": "ends the caller's own session",
    "set_language": "public by design (the login page switches language)",
    "ledger:rejects": "an import's rejected rows: tests/ledger/test_web_upload.py",
    "plans:plan_pdf": "drives chromium: tests/plans/test_print.py (404 and the PDF itself)",
    "priorities:absence_record": "a person's own absence: tests/priorities/test_pages.py",
    "priorities:calendar_resolve": "the caller's own attendees: tests/priorities/test_calendar.py",
    "priorities:calendar_dismiss": "the caller's own events: tests/priorities/test_calendar.py",
}
# Operations outside the scope of this test, with the reason.
API_ELSEWHERE = {
    ("PUT", f"{PR}/settings/digest"): "the caller's own setting, mentors too: "
    "tests/priorities/test_digest.py",
}


def _page_patterns(resolver=None, prefix=""):
    """(name, route) of every named URL, admin and API left out (the API is listed by
    OpenAPI; the admin is Django's, behind is_staff)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            route = str(entry.pattern)
            if route.startswith(("admin/", "api/")):
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else prefix
            yield from _page_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def _api_operations():
    schema = ninja_api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method.upper(), path


PAGES = sorted(set(_page_patterns()))
OPERATIONS = sorted(set(_api_operations()))


def test_every_url_has_a_case():
    missing_pages = [n for n in PAGES if n not in PAGE_CASES and n not in PAGES_ELSEWHERE]
    missing_ops = [op for op in OPERATIONS if op not in API_CASES and op not in API_ELSEWHERE]
    stale = [k for k in API_CASES if k not in OPERATIONS] + [
        n for n in PAGE_CASES if n not in PAGES
    ]
    assert (missing_pages, missing_ops, stale) == ([], [], [])


# -- the world: one of everything on alice's account -------------------------------------------
@pytest.fixture
def world(request, account, alice, bob, mia, lee, settings, tmp_path):
    if "selection" in request.node.name:
        request.getfixturevalue("scored")  # a scoring run, which only selection reads
    budi = account.contacts.get(name="Budi Santoso")
    siti = ContactFactory(account=account, name="Siti Rahayu", department="Desain")
    second = AccountFactory(name="PT Kedua", owner=alice)
    MentorAssignmentFactory(account=second, mentor=mia)
    job = job_submit(kind="score", params={}, by=lee)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)  # so it may be run again
    UserFactory(username="tom", role=Role.TEAM_MEMBER)
    UserFactory(username="max", role=Role.MENTOR)
    dedi = ContactFactory(account=account, name="Dedi Kurniawan")
    contact_record_departure(contact=dedi, left_on=TODAY, by=alice, today=TODAY)
    everything = one_of_everything(account=account, alice=alice, bob=bob, budi=budi, siti=siti)
    settings.MEDIA_ROOT = tmp_path
    return {
        **everything,
        **plans_files_world(account=account, alice=alice),
        **plans_world(account=account, second=second, alice=alice, bob=bob),
        **tactics_world(account=account),
        "second": second.public_id,
        "budi_pk": budi.pk,
        "dedi": dedi.public_id,
        "industry": account.industry,
        "job": job.public_id,
        **priorities_world(account=account, alice=alice, bob=bob, lee=lee),
        "simulation": SimulationRun.objects.create(
            created_by=lee, scenarios=100, seed=1, correlation=0.3, correlate_by="group"
        ).public_id,
    }


def _fill(template, world):
    if isinstance(template, dict):
        return {k: _fill(v, world) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, world) for v in template]
    if isinstance(template, str):
        return template.format(**{k: str(v) for k, v in world.items()})
    return template


def tactics_world(*, account) -> dict:
    """A tactic and a rebate agreement of the account, and a tier of the active scheme."""
    from kam.selection.models import Tier
    from kam.tactics.models import AccountTactic, RebateAgreement

    tactic = AccountTactic.objects.create(account=account, kind="integrated", status="in_place")
    agreement = RebateAgreement.objects.create(
        account=account,
        name="Volume",
        starts_on=TODAY,
        ends_on=TODAY,
        steps=[{"threshold": "0", "rate": "1"}],
    )
    return {
        "tactic": tactic.public_id,
        "agreement": agreement.public_id,
        "tier_pk": Tier.objects.get(scheme__active=True, code="gold").pk,
    }


def priorities_world(*, account, alice, bob, lee) -> dict:
    """A period with time, money, an absence, a pin and a solved allocation (issue 12)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from kam.core.models import Period
    from kam.priorities import services
    from kam.priorities.allocating import allocation_run
    from kam.priorities.models import Task

    period = Period.objects.create(
        name="2026 Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
    )
    day = date(2026, 11, 2)
    entry = services.time_entry_log(
        account=account, user=alice, by=alice, spent_on=day, minutes=60, category="travel"
    )
    expense = services.expense_record(
        account=account,
        user=alice,
        by=alice,
        spent_on=day,
        category="travel",
        amount=Decimal(100),
        currency="IDR",
    )
    absence = services.absence_record(user=alice, starts_on=day, ends_on=day, by=alice)
    pin = services.pin_set(account=account, period=period, user=bob, hours=Decimal(4), by=alice)
    run = allocation_run(period=period, by=lee)
    # Known for 200 days and never visited by an executive: a senior visit is proposed.
    account.__class__.objects.filter(pk=account.pk).update(
        created_at=timezone.now() - timedelta(days=200)
    )
    job = Job.objects.create(kind="allocate", params={"period": period.pk}, created_by=lee)
    return {
        "period": period.pk,
        "time_entry": entry.public_id,
        "expense": expense.public_id,
        "absence": absence.public_id,
        "pin": pin.public_id,
        "allocation": run.public_id,
        "allocate_job": job.public_id,
        "task": Task.objects.create(
            account=account, owner=alice, what="Senior visit", due_on=day
        ).public_id,
        "alice_pk": alice.pk,
        "bob_pk": bob.pk,
    }


def plans_files_world(*, account, alice) -> dict:
    """A plan of the account with an attachment, and a capability checklist."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kam.plans.attachments import attachment_add
    from kam.plans.capabilities import Answer, checklist_record
    from tests.plans.factories import PlanFactory

    plan = PlanFactory(account=account)
    upload = SimpleUploadedFile("deck.pdf", b"%PDF-1.4 deck")
    return {
        "plan": plan.public_id,
        "attachment": attachment_add(by=alice, upload=upload, plan=plan).public_id,
        "checklist": checklist_record(
            by=alice, account=account, answers={"competition": Answer(met=True)}
        ).pk,
    }


def _call_api(client, user, method, path, case, world):
    url = path
    for name, value in case.kwargs.items():
        url = url.replace(f"{{{name}}}", _fill(value, world))
    for name, key in API_PARAMETERS.items():
        url = url.replace(f"{{{name}}}", str(world[key]))
    assert "{" not in url, f"no value for a parameter of {url}"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user)[1]}"}
    if case.upload:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {**_fill(case.body, world), "file": SimpleUploadedFile(*case.upload_file)}
        return client.post(url, data, **headers)
    if case.body is not None:
        data = json.dumps(_fill(case.body, world))
        return client.generic(method, url, data, "application/json", **headers)
    query = _fill(case.params or {}, world)
    return client.generic(method, url, **headers, QUERY_STRING=_query(query))


def _query(params):
    from urllib.parse import urlencode

    return urlencode(params)


def _call_page(client, user, name, case, world):
    from django.urls import reverse

    client.force_login(user)
    url = reverse(name, kwargs=_fill(case.kwargs, world))
    if case.body is not None:
        return client.post(url, _fill(case.body, world))
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    return client.get(url, _fill(case.params or {}, world), **headers)


def _writer(case, users):
    return users["lee"] if case.who in {LEAD, OWN} else users["alice"]


def _is_write(method):
    return method not in {"GET", "HEAD"}


@pytest.fixture
def users(alice, bob, charlie, mia, lee):
    return {"alice": alice, "bob": bob, "charlie": charlie, "mia": mia, "lee": lee}


def _changes():
    """Changes recorded in the audit trail (an export is recorded too, but changes nothing)."""
    return AuditEntry.objects.exclude(action="export").count()


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op not in API_ELSEWHERE], ids=" ".join
)
def test_api_as_every_role(client, users, world, operation):
    method, path = operation
    case = API_CASES[operation]
    before = _changes()
    outsider = _call_api(client, users["charlie"], method, path, case, world)
    if case.who == LIST:
        assert outsider.status_code == 200
        assert "Budi" not in outsider.content.decode()
    elif case.who == OWN:
        assert outsider.status_code == 404
    elif case.who == LEAD and "{account_id}" not in path:
        assert outsider.status_code == 403
    elif case.who != ANYONE:
        assert outsider.status_code == 404, outsider.content
    assert _changes() == before, "a refused request changed something"
    if case.who == MENTOR:
        _only_the_mentor(lambda user: _call_api(client, user, method, path, case, world), users)
        return
    mentor = _call_api(client, users["mia"], method, path, case, world)
    if case.who == REMARK:
        assert 200 <= mentor.status_code < 300, mentor.content
        return
    if case.who == OWN:
        assert mentor.status_code == 404
    elif _is_write(method) or case.who in {KAM, LEAD} or path.endswith("/audit"):
        assert mentor.status_code == 403, mentor.content
    else:
        assert mentor.status_code == 200, mentor.content
    assert _changes() == before, "a refused request changed something"
    allowed = _call_api(client, _writer(case, users), method, path, case, world)
    assert 200 <= allowed.status_code < 300, allowed.content


@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_as_every_role(client, users, world, name):
    case = PAGE_CASES[name]
    before = _changes()
    outsider = _call_page(client, users["charlie"], name, case, world)
    if case.who in {LIST, ANYONE}:
        assert outsider.status_code == 200
        assert "Budi" not in outsider.content.decode()
    elif case.who == OWN:
        assert outsider.status_code == 404
    elif case.who == LEAD and "public_id" not in case.kwargs:
        assert outsider.status_code == 403
    else:
        assert outsider.status_code == 404
    assert _changes() == before, "a refused request changed something"
    if case.who == MENTOR:
        _only_the_mentor(lambda user: _call_page(client, user, name, case, world), users)
        return
    mentor = _call_page(client, users["mia"], name, case, world)
    if case.who == REMARK:
        assert 200 <= mentor.status_code < 400
        return
    if case.who == OWN:
        assert mentor.status_code == 404
    elif case.body is not None or case.who in {KAM, LEAD}:
        assert mentor.status_code == 403
    else:
        assert mentor.status_code == 200
    assert _changes() == before, "a refused request changed something"
    allowed = _call_page(client, _writer(case, users), name, case, world)
    assert 200 <= allowed.status_code < 400, _errors(allowed)


def _only_the_mentor(call, users) -> None:
    """The account's KAM and the lead are refused (403, nothing changed); its mentor gets
    through."""
    before = _changes()
    for who in ("alice", "lee"):
        refused = call(users[who])
        assert refused.status_code == 403, refused.content
    assert _changes() == before, "a refused request changed something"
    allowed = call(users["mia"])
    assert 200 <= allowed.status_code < 400, _errors(allowed)


def _errors(response) -> str:
    """The form errors of a refused page, to read in a failure."""
    import re

    text = response.content.decode()
    return (
        "; ".join(re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)) or text[:300]
    )
