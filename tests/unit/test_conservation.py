"""Conservation (DESIGN.md §2, Reorganisations): however the organisation was merged,
split or handed over, no reorganisation creates or destroys base-year sheets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperless.core.baselines import baseline_frame
from paperless.core.fiscal import fiscal_months
from paperless.core.rates import Rules
from paperless.core.rollup import summarize
from paperless.core.succession import Link, check_links

BASE = fiscal_months(2020)
NOW = date(2024, 6, 1)


@dataclass
class History:
    """Units (code → active), links (heir, predecessor, share or None) and what each
    unit has given away so far."""

    active: dict[str, bool] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    given: dict[str, Decimal] = field(default_factory=dict)

    def new_unit(self) -> str:
        code = f"N{len(self.active)}"
        self.active[code] = True
        return code

    def living(self) -> list[str]:
        return [code for code, alive in self.active.items() if alive]


@st.composite
def histories(draw) -> tuple[History, dict[str, list[int]]]:
    """Original departments with twelve base months each, then random merges, splits
    and hand-overs among the units still active."""
    originals = draw(st.integers(2, 6))
    history = History()
    base = {}
    for i in range(originals):
        code = f"D{i}"
        history.active[code] = True
        base[code] = draw(st.lists(st.integers(0, 5_000), min_size=12, max_size=12))
    for _ in range(draw(st.integers(1, 6))):
        living = history.living()
        event = draw(st.sampled_from(["merge", "split", "hand_over"]))
        if event == "merge" and len(living) >= 2:
            merged = draw(st.lists(st.sampled_from(living), min_size=2, max_size=3, unique=True))
            heir = history.new_unit()
            for code in merged:
                rest = 1 - history.given.get(code, Decimal(0))
                # A unit that already handed work over names its remaining share.
                share = None if code not in history.given else rest
                history.links.append(Link(heir, code, share))
                history.active[code] = False
        elif event == "split":
            code = draw(st.sampled_from(living))
            rest = 1 - history.given.get(code, Decimal(0))
            cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=1, max_size=2, unique=True)))
            parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
            for part in parts:
                history.links.append(Link(history.new_unit(), code, rest * part / 100))
            history.active[code] = False
        else:
            code = draw(st.sampled_from(living))
            rest = 1 - history.given.get(code, Decimal(0))
            share = (rest * draw(st.integers(1, 60)) / 100).quantize(Decimal("0.0001"))
            if share <= 0:
                continue
            history.links.append(Link(history.new_unit(), code, share))
            history.given[code] = history.given.get(code, Decimal(0)) + share
    return history, base


def frames(history: History, base: dict[str, list[int]]):
    units = pd.DataFrame(
        [("C", "市", "city", None, True)]
        + [(code, code, "department", "C", alive) for code, alive in history.active.items()],
        columns=["code", "name", "kind", "parent", "active"],
    )
    predecessors = pd.DataFrame(
        [
            (
                link.heir,
                link.predecessor,
                float("nan") if link.share is None else float(link.share),
                history.active[link.predecessor],
            )
            for link in history.links
        ],
        columns=["unit", "predecessor", "share", "predecessor_active"],
    )
    rows = [
        (code, month, sheets, 0, None)
        for code, months in base.items()
        for month, sheets in zip(BASE, months, strict=True)
    ]
    # Every active unit reports June 2024, so every base June is compared.
    rows += [(code, NOW, 100, 0, None) for code in history.living()]
    counts = pd.DataFrame(
        rows, columns=["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"]
    )
    return units, predecessors, counts


@settings(max_examples=150, deadline=None)
@given(histories())
def test_no_reorganisation_creates_or_destroys_base_sheets(case):
    history, base = case
    assert check_links(history.links, history.active) == []  # the histories are valid
    units, predecessors, counts = frames(history, base)

    baselines = baseline_frame(counts, predecessors, base_fy=2020)
    living = baselines[baselines["department"].isin(history.living())]
    per_month = living.groupby("month")["total"].sum()
    for i, month in enumerate(BASE):
        recorded = sum(months[i] for months in base.values())
        assert per_month.get(month, 0) == pytest.approx(recorded, abs=1e-6)

    city = summarize(counts, units, predecessors, months=[NOW], rules=Rules(base_fy=2020))
    recorded_june = sum(months[2] for months in base.values())
    assert city.loc["C", "baseline"] == pytest.approx(recorded_june, abs=1e-6)


def test_a_50_50_split_of_1000_sheets_into_two_heirs_of_400_is_a_20_percent_cut():
    history = History(active={"A": False, "B1": True, "B2": True})
    history.links = [Link("B1", "A", Decimal("0.5")), Link("B2", "A", Decimal("0.5"))]
    units, predecessors, _ = frames(history, {})
    rows = [("A", month, 1000, 0, None) for month in BASE]
    rows += [(code, NOW, 400, 0, None) for code in ("B1", "B2")]
    counts = pd.DataFrame(
        rows, columns=["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"]
    )
    summary = summarize(counts, units, predecessors, months=[NOW], rules=Rules())
    assert summary.loc["C", "rate"] == pytest.approx(0.2)
    assert summary.loc["B1", "baseline"] == pytest.approx(500)
    assert summary.loc["C", "status"] == "lagging"


def test_a_30_percent_hand_over_leaves_the_active_department_the_rest():
    history = History(active={"A": True, "N": True})
    history.links = [Link("N", "A", Decimal("0.3"))]
    units, predecessors, _ = frames(history, {})
    rows = [("A", month, 1000, 0, None) for month in BASE]
    rows += [("A", NOW, 560, 0, None), ("N", NOW, 240, 0, None)]
    counts = pd.DataFrame(
        rows, columns=["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"]
    )
    summary = summarize(counts, units, predecessors, months=[NOW], rules=Rules())
    assert summary.loc["A", "baseline"] == pytest.approx(700)
    assert summary.loc["N", "baseline"] == pytest.approx(300)
    assert summary.loc["A", "rate"] == pytest.approx(0.2)
    assert summary.loc["C", "rate"] == pytest.approx(0.2)
