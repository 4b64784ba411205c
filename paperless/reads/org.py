"""The org tree as the org master import checks a file against it: plain values by code.

Two queries whatever the size of the tree, so the import's validation stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperless.models import Unit


@dataclass(frozen=True)
class ExistingUnit:
    id: int
    kind: str
    parent_code: str | None
    predecessor_codes: frozenset[str] = frozenset()


def existing_units() -> dict[str, ExistingUnit]:
    """Every unit by code, with its parent's code and its predecessors' codes."""
    units = list(Unit.objects.values_list("id", "code", "kind", "parent"))
    codes = {pk: code for pk, code, _kind, _parent in units}
    predecessors: dict[int, set[str]] = {}
    for unit_id, predecessor_id in Unit.predecessors.through.objects.values_list(
        "from_unit_id", "to_unit_id"
    ):
        predecessors.setdefault(unit_id, set()).add(codes[predecessor_id])
    return {
        code: ExistingUnit(
            id=pk,
            kind=kind,
            parent_code=codes.get(parent_id),
            predecessor_codes=frozenset(predecessors.get(pk, ())),
        )
        for pk, code, kind, parent_id in units
    }
