"""People at the customer, what we think of them, and how we work with them (METHOD.md M3).

A package because the map has many parts; each module holds one of them:
contacts (people, reporting lines, links between them), assessments (the dated opinions and
the role vocabulary), interests (entrenched interests and practices), interactions (the log,
strength overrides and relationship levels). The audit trail is kam.accounts' (AuditEntry).
"""

from kam.relationships.models.assessments import (
    Assessment,
    Attitude,
    BuyingRole,
    RoleStyle,
    RoleVocabulary,
    Standing,
    Trend,
    role_label,
)
from kam.relationships.models.centrality import CentralityCache
from kam.relationships.models.contacts import (
    Contact,
    ContactLevel,
    ContactLink,
    ContactQuerySet,
    ContactStatus,
    LinkKind,
)
from kam.relationships.models.handovers import Handover
from kam.relationships.models.interactions import (
    DEFAULT_MINUTES,
    MAX_INTERACTION_MINUTES,
    Interaction,
    InteractionKind,
    RelationshipLevel,
    RelationshipOverride,
    RelationshipStage,
)
from kam.relationships.models.interests import (
    DefusingStrategy,
    EntrenchedInterest,
    EntrenchedPractice,
    InterestChange,
    InterestKind,
    InterestStatus,
)

__all__ = [
    "DEFAULT_MINUTES",
    "MAX_INTERACTION_MINUTES",
    "Assessment",
    "Attitude",
    "BuyingRole",
    "CentralityCache",
    "Contact",
    "ContactLevel",
    "ContactLink",
    "ContactQuerySet",
    "ContactStatus",
    "DefusingStrategy",
    "EntrenchedInterest",
    "EntrenchedPractice",
    "Handover",
    "Interaction",
    "InteractionKind",
    "InterestChange",
    "InterestKind",
    "InterestStatus",
    "LinkKind",
    "RelationshipLevel",
    "RelationshipOverride",
    "RelationshipStage",
    "RoleStyle",
    "RoleVocabulary",
    "Standing",
    "Trend",
    "role_label",
]
