"""Plain input data for the relationship analyses, filled by the Django layer from the database.

Nothing here imports Django: the analyses are maths over these frozen dataclasses, so they can
be property-tested and benchmarked alone. Choice values are ``StrEnum`` members whose values
match the model ``TextChoices``, so a plain string from the database compares equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType


class BuyingRole(StrEnum):
    """The part a contact plays in buying (Miller Heiman vocabulary)."""

    DECISION_MAKER = "decision_maker"  # also the economic buyer
    USER = "user"
    TECHNICAL_BUYER = "technical_buyer"  # also the specifier
    COACH = "coach"  # also the ally
    GATEKEEPER = "gatekeeper"
    INFLUENCER = "influencer"


class Trend(StrEnum):
    """Which way a contact's influence is heading."""

    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"


class Attitude(StrEnum):
    """A contact's attitude to us."""

    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    OPPONENT = "opponent"


# Order of attitudes so drift can say 'better' or 'worse'.
ATTITUDE_RANK: Mapping[str, int] = MappingProxyType(
    {Attitude.OPPONENT: 0, Attitude.NEUTRAL: 1, Attitude.SUPPORTER: 2}
)


class Standing(StrEnum):
    """Where a contact stands politically inside the customer."""

    INNER_CIRCLE = "inner_circle"
    POWER_STRUCTURE = "power_structure"
    OUTSIDE = "outside"


class ContactStatus(StrEnum):
    """Whether the contact is still at the customer."""

    ACTIVE = "active"
    LEFT = "left"


class LinkKind(StrEnum):
    """Links between two contacts; reporting lines come from ``Contact.reports_to``."""

    INFLUENCES = "influences"  # source influences target
    ALLIED_WITH = "allied_with"  # symmetric
    IN_TENSION_WITH = "in_tension_with"  # symmetric
    RESTRICTS_ACCESS = "restricts_access"  # source does not want us talking to target


class InterestStatus(StrEnum):
    """Whether an entrenched interest still stands in our way."""

    OPEN = "open"
    DEFUSED = "defused"


class DefusingStrategy(StrEnum):
    """How we mean to defuse an entrenched interest."""

    BYPASS = "bypass"
    EARN_TRUST = "earn_trust"
    ENLIST_ADVOCATE = "enlist_advocate"
    WAIT_TO_LEAVE = "wait_to_leave"


class OpportunityStatus(StrEnum):
    """The state of an opportunity; only open ones raise deal questions."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class Assessment:
    """A dated assessment of one contact; the history of these shows drift."""

    on: date
    role: BuyingRole | None = None
    influence: int | None = None  # 1-5
    trend: Trend = Trend.STEADY
    attitude: Attitude = Attitude.NEUTRAL
    standing: Standing | None = None
    buy_in_needed: bool = False
    known_in_person_by: frozenset[int] = frozenset()  # our user ids
    planned_step: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at the customer, with their latest assessment and its history."""

    id: int
    name: str
    title: str = ""
    department: str = ""
    site: str = ""
    level: int | None = None
    reports_to: int | None = None
    status: ContactStatus = ContactStatus.ACTIVE
    left_on: date | None = None  # set in the future when a departure is announced
    successor_id: int | None = None
    assessment: Assessment | None = None
    history: tuple[Assessment, ...] = ()  # dated snapshots, any order, may include the latest

    @property
    def influence(self) -> int:
        """Assessed influence, 0 when never assessed."""
        if self.assessment is None or self.assessment.influence is None:
            return 0
        return self.assessment.influence

    @property
    def attitude(self) -> Attitude:
        """Assessed attitude, neutral when never assessed."""
        return Attitude.NEUTRAL if self.assessment is None else self.assessment.attitude

    @property
    def role(self) -> BuyingRole | None:
        """Assessed buying role, if any."""
        return None if self.assessment is None else self.assessment.role

    def has_left(self, as_of: date) -> bool:
        """Gone by ``as_of``: marked as left, or a departure date already reached."""
        if self.status == ContactStatus.LEFT:
            return True
        return self.left_on is not None and self.left_on <= as_of

    def is_leaving(self, as_of: date) -> bool:
        """Still here on ``as_of`` but with a departure announced for later."""
        return not self.has_left(as_of) and self.left_on is not None


@dataclass(frozen=True, slots=True)
class ContactLink:
    """A link between two contacts. ``strength`` (0-100) overrides the per-kind default."""

    source_id: int
    target_id: int
    kind: LinkKind
    strength: float | None = None


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A user on our account team."""

    id: int
    name: str
    role: str = ""
    is_executive_sponsor: bool = False


@dataclass(frozen=True, slots=True)
class Interaction:
    """One logged interaction: who took part on each side, when, of which kind."""

    on: date
    kind: str  # 'email', 'call', 'meeting', 'visit', 'demo', 'pilot', 'senior_visit', ...
    user_ids: tuple[int, ...]
    contact_ids: tuple[int, ...]
    objective_id: int | None = None


@dataclass(frozen=True, slots=True)
class StrengthOverride:
    """A manual relationship strength (0-100) for one pair; it wins over the derived one."""

    user_id: int
    contact_id: int
    strength: float


@dataclass(frozen=True, slots=True)
class EntrenchedInterest:
    """What a contact stands to lose if the customer buys from us, and how we defuse it."""

    id: int
    contact_id: int
    kind: str  # 'kickbacks', 'threatened_value', 'diminished_influence', 'other'
    threat_level: int  # 1-5
    strategy: DefusingStrategy | None = None
    advocate_id: int | None = None  # the contact who 'whispers kind words'
    status: InterestStatus = InterestStatus.OPEN
    raised_on: date | None = None
    defused_on: date | None = None


@dataclass(frozen=True, slots=True)
class Objective:
    """A customer business objective, with the contact who told us about it."""

    id: int
    name: str
    term: str = ""  # 'short' or 'long'
    source_contact_id: int | None = None
    stated_on: date | None = None


@dataclass(frozen=True, slots=True)
class Opportunity:
    """An opportunity at the account and the contacts whose buy-in it needs."""

    id: int
    name: str
    value: Decimal = Decimal(0)
    probability: float = 0.0  # 0-1
    expected_on: date | None = None
    significant: bool = False
    objective_id: int | None = None
    buy_in_contact_ids: tuple[int, ...] = ()
    status: OpportunityStatus = OpportunityStatus.OPEN


@dataclass(frozen=True)
class AccountSnapshot:
    """Everything the analyses read about one account, as of one day."""

    as_of: date
    contacts: tuple[Contact, ...]
    team: tuple[TeamMember, ...] = ()
    links: tuple[ContactLink, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    overrides: tuple[StrengthOverride, ...] = ()
    interests: tuple[EntrenchedInterest, ...] = ()
    objectives: tuple[Objective, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()

    @cached_property
    def contact_by_id(self) -> Mapping[int, Contact]:
        """Contacts by id (built once; the snapshot is frozen)."""
        return MappingProxyType({c.id: c for c in self.contacts})

    @cached_property
    def member_by_id(self) -> Mapping[int, TeamMember]:
        """Team members by id."""
        return MappingProxyType({m.id: m for m in self.team})

    @cached_property
    def objective_by_id(self) -> Mapping[int, Objective]:
        """Objectives by id."""
        return MappingProxyType({o.id: o for o in self.objectives})


def _weights() -> Mapping[str, float]:
    # A pilot or a senior visit says far more about a relationship than an email.
    return MappingProxyType(
        {
            "email": 0.25,
            "call": 0.5,
            "video_call": 0.6,
            "event": 0.75,
            "meeting": 1.0,
            "visit": 1.5,
            "demo": 1.5,
            "workshop": 1.5,
            "pilot": 3.0,
            "senior_visit": 3.0,
        }
    )


def _link_strengths() -> Mapping[str, float]:
    # How readily a link carries an introduction: allies introduce gladly, managers and
    # reports usually will, an influence link is a weaker promise.
    return MappingProxyType(
        {"reports_to": 60.0, LinkKind.ALLIED_WITH: 70.0, LinkKind.INFLUENCES: 50.0}
    )


@dataclass(frozen=True)
class AnalysisConfig:
    """Thresholds of every analysis; the defaults follow the method (M3)."""

    half_life_days: float = 90.0
    kind_weights: Mapping[str, float] = field(default_factory=_weights)
    unknown_kind_weight: float = 1.0
    # Raw decayed weight that maps to 63 on the 0-100 scale (100 * (1 - e^-1)).
    strength_scale: float = 3.0
    # Kinds that mean we met in person, so the contact counts as known even if the
    # assessment's 'known in person by' list is behind the interaction log.
    in_person_kinds: frozenset[str] = frozenset(
        {"meeting", "visit", "demo", "workshop", "pilot", "senior_visit"}
    )
    influential_min: int = 4
    coverage_min: int = 3
    coverage_target: int = 5
    single_thread_share: float = 0.5
    known_well_min: float = 50.0
    reach_min_strength: float = 20.0
    link_strengths: Mapping[str, float] = field(default_factory=_link_strengths)
    path_count: int = 3
    path_max_hops: int = 5  # contact-to-contact hops, after the first (user to contact)
    silent_days: int = 60
    hidden_influencer_top_share: float = 0.05
    hidden_influencer_max_influence: int = 2
    hidden_influencer_limit: int = 10
