"""The sign-off workflow of an account plan (METHOD.md M5), as a pure state machine.

draft -> submitted (for agreement) -> agreed; an objection, or the KAM withdrawing it,
returns a submitted plan to draft. Editing the substance of an agreed plan makes its working
copy a new draft while the agreed version stays in force; the plan is closed at the end of
its period (or when the KAM closes it early). Nothing here touches the database: the
services (``plans.services``) ask this module what a step leads to and record it.

Agreement: the plan is agreed when every *required* signer has agreed. Any signer's objection
returns it to draft (the objection is what the team has to resolve, whoever raised it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AGREED = "agreed"
    CLOSED = "closed"


class Step(StrEnum):
    EDIT = "edit"  # a change of the plan's substance
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    AGREE = "agree"  # the last required agreement
    OBJECT = "object"
    CLOSE = "close"


class Decision(StrEnum):
    PENDING = "pending"
    AGREED = "agreed"
    OBJECTED = "objected"


class Outcome(StrEnum):
    WAITING = "waiting"
    AGREED = "agreed"
    RETURNED = "returned"


NEXT: dict[tuple[State, Step], State] = {
    (State.DRAFT, Step.EDIT): State.DRAFT,
    (State.AGREED, Step.EDIT): State.DRAFT,
    (State.DRAFT, Step.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Step.WITHDRAW): State.DRAFT,
    (State.SUBMITTED, Step.OBJECT): State.DRAFT,
    (State.SUBMITTED, Step.AGREE): State.AGREED,
    (State.DRAFT, Step.CLOSE): State.CLOSED,
    (State.AGREED, Step.CLOSE): State.CLOSED,
    (State.SUBMITTED, Step.CLOSE): State.CLOSED,
}


class StepRefused(Exception):
    """The step is not possible in the plan's state; ``state`` and ``step`` say which."""

    def __init__(self, state: State, step: Step) -> None:
        self.state, self.step = state, step
        super().__init__(f"{step} is not possible on a {state} plan")


def next_state(state: str, step: str) -> State:
    """The state ``step`` leads to from ``state``, or StepRefused."""
    key = (State(state), Step(step))
    if key not in NEXT:
        raise StepRefused(*key)
    return NEXT[key]


def allowed_steps(state: str) -> set[Step]:
    return {step for (s, step) in NEXT if s == State(state)}


@dataclass(frozen=True)
class Answer:
    member: int
    required: bool
    decision: Decision


def outcome(answers: Iterable[Answer]) -> Outcome:
    """Where a submitted version stands after its signers' answers: returned at the first
    objection, agreed when every required signer agreed (and at least one is required),
    waiting otherwise."""
    answers = list(answers)
    if any(a.decision == Decision.OBJECTED for a in answers):
        return Outcome.RETURNED
    required = [a for a in answers if a.required]
    if required and all(a.decision == Decision.AGREED for a in required):
        return Outcome.AGREED
    return Outcome.WAITING


def still_to_sign(answers: Iterable[Answer]) -> list[int]:
    """The required signers who have not answered yet."""
    return [a.member for a in answers if a.required and a.decision == Decision.PENDING]
