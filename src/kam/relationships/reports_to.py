"""The reports-to column of a contacts import: each row's manager found within the file and
its account, and the chains of managers checked for loops, before anything is written.

A manager is named by external id, else e-mail, else name (as a row finds its stored contact),
among the rows of the file for the same account and the account's stored contacts; a stored
contact that a row of the file updates counts as that row. A value that names nobody, or
several people at the strongest level it matches, refuses the row; so does a chain of
managers that comes back to the row (the file's new links over the stored ones).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from kam.ledger.importing.result import RowError

# A person in the resolution: ("row", row number) for a row of the file, ("pk", id) for a
# stored contact no row updates.
Node = tuple[str, int]
LEVELS = ("external_id", "email", "name")


def norm_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def _lookup_key(level: str, value: str) -> str:
    if level == "external_id":
        return value.strip()
    if level == "email":
        return value.strip().casefold()
    return norm_name(value)


@dataclass(frozen=True)
class Person:
    """What resolution needs of a row or a stored contact."""

    node: Node
    account_id: int
    external_id: str
    email: str
    name: str
    manager: Node | None = None  # a stored contact's current manager

    def key(self, level: str) -> str:
        value = getattr(self, level)
        return _lookup_key(level, value) if value else ""


def resolve(
    rows: Iterable[Person],
    wanted: Mapping[int, str],
    stored: Iterable[Person],
    same_as: Mapping[int, int],
    column: str,
) -> tuple[dict[int, Node], list[RowError]]:
    """The manager of each row that names one (``wanted``: row number -> the cell), and the
    refusals. ``same_as``: row number -> the stored contact's id the row updates."""
    rows = list(rows)
    alias = {("pk", pk): ("row", number) for number, pk in same_as.items()}

    def canonical(node: Node | None) -> Node | None:
        return alias.get(node, node) if node is not None else None

    people = [*rows, *(p for p in stored if p.node not in alias)]
    index: dict[tuple[int, str, str], set[Node]] = {}
    for person in [*rows, *stored]:
        for level in LEVELS:
            key = person.key(level)
            if key:
                index.setdefault((person.account_id, level, key), set()).add(canonical(person.node))
    labels = {p.node: _label(p) for p in people}
    by_row = {p.node[1]: p for p in rows}

    managers: dict[int, Node] = {}
    errors: list[RowError] = []
    for number, value in sorted(wanted.items()):
        person = by_row[number]
        found: set[Node] = set()
        for level in LEVELS:
            found = index.get((person.account_id, level, _lookup_key(level, value)), set())
            if found:
                break
        if not found:
            reason = gettext(
                "unknown manager %(value)s: no contact of this account, in the file or in kam, "
                "has this external id, e-mail or name"
            ) % {"value": value}
        elif len(found) > 1:
            reason = gettext(
                "%(value)s names several contacts of this account (%(who)s): give the "
                "manager's external id or e-mail"
            ) % {"value": value, "who": ", ".join(sorted(labels[n] for n in found))}
        elif found == {person.node}:
            reason = gettext("a contact cannot report to themselves")
        else:
            managers[number] = next(iter(found))
            continue
        errors.append(RowError(number, column, value, reason))

    parent: dict[Node, Node | None] = {p.node: canonical(p.manager) for p in stored}
    for person in rows:
        # A row with no manager keeps the stored one (a blank cell never wipes).
        parent[person.node] = managers.get(person.node[1], parent.get(person.node))
    for number in sorted(managers):
        chain = _loop(("row", number), parent.get)
        if chain:
            errors.append(
                RowError(
                    number,
                    column,
                    wanted[number],
                    gettext("the reports-to chain goes round in a loop: %(chain)s")
                    % {"chain": " → ".join(labels[n] for n in chain)},
                )
            )
    return managers, errors


def _loop(start: Node, parent: Callable[[Node], Node | None]) -> list[Node]:
    """The chain from ``start`` back to itself, or [] when its managers end."""
    chain, seen = [start], {start}
    current = parent(start)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parent(current)
    return [*chain, start] if current == start else []


def _label(person: Person) -> str:
    kind, value = person.node
    if kind == "row":
        return gettext("row %(row)d") % {"row": value}
    return person.name
