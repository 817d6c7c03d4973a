"""Writes to relationship data: one function per action, ``<entity>_<action>(*, ...)``.

Every service checks that ``by`` may write to the account (``access.require_write``), runs
``full_clean()`` before saving, and records what changed in the audit trail. ``by=None``
means a trusted system job (an import run from the command line, the demo).
"""

from kam.core.versions import EditConflict
from kam.relationships.services.assessments import (
    assessment_delete,
    assessment_record,
    assessment_update,
    role_vocabulary_update,
)
from kam.relationships.services.contacts import (
    contact_create,
    contact_delete,
    contact_hand_over,
    contact_name_successor,
    contact_record_departure,
    contact_rejoin,
    contact_update,
)
from kam.relationships.services.interactions import (
    interaction_delete,
    interaction_log,
    interaction_update,
    level_delete,
    level_set,
    override_clear,
    override_set,
)
from kam.relationships.services.interests import (
    interest_create,
    interest_delete,
    interest_update,
    practice_create,
    practice_delete,
    practice_update,
)
from kam.relationships.services.links import link_create, link_delete, link_update
from kam.relationships.services.privacy import contact_erase, contact_export

__all__ = [
    "EditConflict",
    "assessment_delete",
    "assessment_record",
    "assessment_update",
    "contact_create",
    "contact_delete",
    "contact_erase",
    "contact_export",
    "contact_hand_over",
    "contact_name_successor",
    "contact_record_departure",
    "contact_rejoin",
    "contact_update",
    "interaction_delete",
    "interaction_log",
    "interaction_update",
    "interest_create",
    "interest_delete",
    "interest_update",
    "level_delete",
    "level_set",
    "link_create",
    "link_delete",
    "link_update",
    "override_clear",
    "override_set",
    "practice_create",
    "practice_delete",
    "practice_update",
    "role_vocabulary_update",
]
