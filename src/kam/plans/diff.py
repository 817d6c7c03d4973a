"""What changed between two versions of a plan, field by field (pure).

A version's content (``plans.services.plan_content``) is a mapping of sections: ``plan`` is a
mapping of field -> text; every other section is a list of items, each a mapping with a
stable ``key`` (the item's id), a ``label`` (how a person names it) and its fields. Items are
matched by key, so a renamed team objective is "changed", not "removed and added".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
META = ("key", "label")


@dataclass(frozen=True)
class Change:
    section: str
    kind: str  # added, removed or changed
    field: str | None = None  # None: the whole item was added or removed
    item: str | None = None  # the item's label, for list sections
    old: Any = None
    new: Any = None


def _items(section: Any) -> dict[str, Mapping[str, Any]]:
    return {str(item["key"]): item for item in section or ()}


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    names = [k for k in old if k not in META]
    return names + [k for k in new if k not in META and k not in old]


def diff_contents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every difference from ``old`` to ``new``, in the order of the sections and fields."""
    changes: list[Change] = []
    sections = list(old) + [s for s in new if s not in old]
    for section in sections:
        before, after = old.get(section), new.get(section)
        if section == "plan" or isinstance(before or after, Mapping):
            before, after = before or {}, after or {}
            for name in _fields(before, after):
                if before.get(name) != after.get(name):
                    changes.append(
                        Change(section, CHANGED, name, old=before.get(name), new=after.get(name))
                    )
            continue
        was, now = _items(before), _items(after)
        for key, item in was.items():
            if key not in now:
                changes.append(Change(section, REMOVED, item=item.get("label")))
                continue
            fresh = now[key]
            for name in _fields(item, fresh):
                if item.get(name) != fresh.get(name):
                    changes.append(
                        Change(
                            section,
                            CHANGED,
                            name,
                            item=fresh.get("label"),
                            old=item.get(name),
                            new=fresh.get(name),
                        )
                    )
        for key, item in now.items():
            if key not in was:
                changes.append(Change(section, ADDED, item=item.get("label")))
    return changes
