"""Walks of the org tree (DESIGN.md §2, Org tree): display order, areas and ancestors.

Owns the tree questions pages and e-mails ask of the units frame
(``reads.frames.units_frame``: code, parent, ...). Pure pandas and plain lists; no
Django. A parent that does not exist or a loop ends a walk instead of hanging it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import pandas as pd


def _parents(units: pd.DataFrame) -> dict[str, str | None]:
    """Each code's parent code; plain lists, as iterating pandas string columns is slow."""
    return dict(zip(units["code"].tolist(), units["parent"].tolist(), strict=True))


def preorder(units: pd.DataFrame, root: str) -> list[str]:
    """``root`` and every unit below it, each parent before its children, in display order
    (DESIGN.md §2, Org tree)."""
    children: dict[str, list[str]] = {}
    for code, parent in _parents(units).items():
        if isinstance(parent, str):
            children.setdefault(parent, []).append(code)
    out: list[str] = []
    seen: set[str] = set()
    stack = [root]
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        out.append(code)
        stack.extend(reversed(children.get(code, [])))
    return out


def areas(units: pd.DataFrame) -> pd.Series:
    """Each unit's ward office or bureau: its ancestor just below the root (or itself)
    (DESIGN.md §2, Org tree)."""
    parent = _parents(units)
    result: dict[str, str | None] = {}
    for code in parent:
        node, chain = code, []
        while isinstance(parent.get(node), str) and node not in chain:
            chain.append(node)
            node = parent[node]
        result[code] = chain[-1] if chain else None
    return pd.Series(result, dtype=object)


def ancestors(units: pd.DataFrame, code: str) -> list[str]:
    """The units above ``code``, the root first (DESIGN.md §2, Org tree)."""
    parent = _parents(units)
    chain: list[str] = []
    node = parent.get(code)
    while isinstance(node, str) and node not in chain and node != code:
        chain.append(node)
        node = parent.get(node)
    return chain[::-1]


def subtree_ids(roots: Iterable[Hashable], children: Mapping[Any, list[Any]]) -> set[Any]:
    """The ``roots`` and every unit below them in a map of each unit's children, by any
    key (codes or primary keys); a loop ends the walk (DESIGN.md §2, Org tree)."""
    seen: set[Any] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(children.get(node, ()))
    return seen


def members(units: pd.DataFrame, codes: Iterable[str]) -> dict[str, list[str]]:
    """For every unit, the ``codes`` at or below it, in the order of ``codes`` (e.g. the
    departments whose counts a ward office sums; DESIGN.md §2, Org tree)."""
    parent = _parents(units)
    out: dict[str, list[str]] = {}
    for code in codes:
        node: Any = code
        chain: list[str] = []
        while isinstance(node, str) and node in parent and node not in chain:
            chain.append(node)
            out.setdefault(node, []).append(code)
            node = parent[node]
    return out
