"""The org tree as the org master import checks a file against it: plain values by code.

Two queries whatever the size of the tree, so the import's validation stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperless.models import Succession, Unit


@dataclass(frozen=True)
class ExistingUnit:
    id: int
    kind: str
    parent_code: str | None
    active: bool = True
    # (predecessor code, share or None), sorted: comparable with what a file states.
    predecessors: tuple[tuple[str, Decimal | None], ...] = ()


def existing_units() -> dict[str, ExistingUnit]:
    """Every unit by code, with its parent's code and its predecessors with shares."""
    units = list(Unit.objects.values_list("id", "code", "kind", "parent", "active"))
    codes = {pk: code for pk, code, *_ in units}
    predecessors: dict[int, list[tuple[str, Decimal | None]]] = {}
    for unit_id, predecessor_id, share in Succession.objects.values_list(
        "from_unit_id", "to_unit_id", "share"
    ):
        predecessors.setdefault(unit_id, []).append((codes[predecessor_id], share))
    return {
        code: ExistingUnit(
            id=pk,
            kind=kind,
            parent_code=codes.get(parent_id),
            active=active,
            predecessors=tuple(sorted(predecessors.get(pk, ()))),
        )
        for pk, code, kind, parent_id, active in units
    }
