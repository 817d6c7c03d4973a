"""The workflow's state machine and the version diff, without a database."""

from __future__ import annotations

import pytest

from kam.plans.diff import ADDED, CHANGED, REMOVED, diff_contents
from kam.plans.workflow import (
    Answer,
    Decision,
    Outcome,
    State,
    Step,
    StepRefused,
    next_state,
    outcome,
    still_to_sign,
)


def test_the_workflow_goes_draft_submitted_agreed_and_back_to_draft_on_an_edit():
    state = next_state(State.DRAFT, Step.SUBMIT)
    assert state == State.SUBMITTED
    assert next_state(state, Step.AGREE) == State.AGREED
    assert next_state(State.AGREED, Step.EDIT) == State.DRAFT
    assert next_state(State.SUBMITTED, Step.OBJECT) == State.DRAFT


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (State.SUBMITTED, Step.EDIT),
        (State.CLOSED, Step.EDIT),
        (State.AGREED, Step.SUBMIT),
        (State.DRAFT, Step.AGREE),
        (State.CLOSED, Step.CLOSE),
    ],
)
def test_a_step_the_state_does_not_allow_is_refused(state, step):
    with pytest.raises(StepRefused):
        next_state(state, step)


def test_agreed_only_when_every_required_signer_agreed_and_any_objection_returns():
    a = Answer(1, True, Decision.AGREED)
    pending = Answer(2, True, Decision.PENDING)
    optional = Answer(3, False, Decision.PENDING)
    assert outcome([a, pending, optional]) == Outcome.WAITING
    assert still_to_sign([a, pending, optional]) == [2]
    assert outcome([a, Answer(2, True, Decision.AGREED), optional]) == Outcome.AGREED
    assert outcome([a, pending, Answer(3, False, Decision.OBJECTED)]) == Outcome.RETURNED
    assert outcome([optional]) == Outcome.WAITING  # nobody required: never agreed by itself


def test_the_diff_names_each_changed_field_and_matches_items_by_key():
    old = {
        "plan": {"strategy": "Grow hinges", "threats": ""},
        "actions": [
            {"key": "a1", "label": "Visit Budi", "what": "Visit Budi", "due_on": "2027-03-01"},
            {"key": "a2", "label": "Quote", "what": "Quote"},
        ],
    }
    new = {
        "plan": {"strategy": "Grow hinges and slides", "threats": ""},
        "actions": [
            {"key": "a1", "label": "Visit Budi", "what": "Visit Budi", "due_on": "2027-04-01"},
            {"key": "a3", "label": "Demo", "what": "Demo"},
        ],
    }
    changes = diff_contents(old, new)
    assert [(c.section, c.kind, c.field, c.item, c.old, c.new) for c in changes] == [
        ("plan", CHANGED, "strategy", None, "Grow hinges", "Grow hinges and slides"),
        ("actions", CHANGED, "due_on", "Visit Budi", "2027-03-01", "2027-04-01"),
        ("actions", REMOVED, None, "Quote", None, None),
        ("actions", ADDED, None, "Demo", None, None),
    ]
    assert diff_contents(new, new) == []
