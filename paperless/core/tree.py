"""The org tree from the units frame (``queries.units_frame``): pure pandas, no ORM."""

from __future__ import annotations

import pandas as pd


def _parents(units: pd.DataFrame) -> dict[str, str | None]:
    """Each code's parent code; plain lists, as iterating pandas string columns is slow."""
    return dict(zip(units["code"].tolist(), units["parent"].tolist(), strict=True))


def preorder(units: pd.DataFrame, root: str) -> list[str]:
    """``root`` and every unit below it, each parent before its children, in display order."""
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
    """Each unit's ward office or bureau: its ancestor just below the root (or itself)."""
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
    """The units above ``code``, the root first."""
    parent = _parents(units)
    chain: list[str] = []
    node = parent.get(code)
    while isinstance(node, str) and node not in chain and node != code:
        chain.append(node)
        node = parent.get(node)
    return chain[::-1]
