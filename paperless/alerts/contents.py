"""What the weekly alerts say: the figures they quote, computed once for the whole tree.

Pure, like ``paperless.core``: frames in, plain dicts out (rates as fractions, gaps in
sheets, ``None`` where there is nothing to compare). ``alerts.plan_week`` decides who
gets which of these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from paperless.core import baselines, rollup, tree
from paperless.core.fiscal import format_month_iso
from paperless.core.rates import ACHIEVED, DEPARTMENT, LAGGING, Rules, reaches_threshold

GROUP_KINDS = ("ward_office", "bureau")
WORST = 10  # lagging departments the digest names, lowest rate first


class OrgTree:
    """Departments under each unit and each department's area (its ward office or bureau,
    as the dashboard means it: ``core.tree.areas``)."""

    def __init__(self, units: pd.DataFrame) -> None:
        self.name = dict(zip(units["code"], units["name"], strict=True))
        self.kind = dict(zip(units["code"], units["kind"], strict=True))
        self.order = {code: i for i, code in enumerate(units["code"])}
        departments = units.loc[units["kind"] == DEPARTMENT, "code"].tolist()
        self.under: dict[str, list[str]] = tree.members(units, departments)
        area = tree.areas(units)
        self.group: dict[str, str | None] = {
            dept: area.get(dept) if isinstance(area.get(dept), str) else None
            for dept in departments
        }

    def departments(self, roots: Iterable[str]) -> set[str]:
        return {d for root in roots for d in self.under.get(root, ())}

    def sort(self, codes: Iterable[str]) -> list[str]:
        return sorted(set(codes), key=lambda c: self.order.get(c, len(self.order)))


def _rate(row: pd.Series, adjusted: bool) -> float | None:
    value = row["adjusted_rate" if adjusted else "rate"]
    return None if pd.isna(value) else float(value)


def _gap(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _trends(
    counts: baselines.Counts,
    units: pd.DataFrame,
    predecessors: pd.DataFrame,
    rules: Rules,
    months: list[date],
) -> dict[str, list[dict[str, Any]]]:
    """Each unit's rate in each of ``months`` (None when not comparable), on the basis
    that drives status, as the core computes it (``rollup.period_rates``), with the
    month's status for rounding the rate toward it."""
    basis = "adjusted_rate" if rules.adjusted else "rate"
    per_month = [
        rollup.period_rates(counts, units, predecessors, months=[month], rules=rules)[basis]
        for month in months
    ]
    reached = [reaches_threshold(rates, rules.threshold) for rates in per_month]
    return {
        code: [
            {
                "month": month,
                "rate": _value(rates.get(code)),
                "status": ACHIEVED if bool(ok.get(code, False)) else LAGGING,
            }
            for month, rates, ok in zip(months, per_month, reached, strict=True)
        ]
        for code in units["code"].tolist()
    }


def _value(rate: Any) -> float | None:
    return None if rate is None or pd.isna(rate) else float(rate)


def _ranks(fytd: pd.DataFrame, tree: OrgTree, adjusted: bool) -> dict[str, tuple[int, int]]:
    """(rank, out of) of each department's FYTD rate within its ward office or bureau."""
    depts = fytd[fytd["kind"] == DEPARTMENT]
    rates = depts["adjusted_rate" if adjusted else "rate"].dropna()
    frame = pd.DataFrame({"rate": rates, "group": rates.index.map(tree.group)}).dropna()
    rank = frame.groupby("group")["rate"].rank(ascending=False, method="min")
    size = frame.groupby("group")["rate"].transform("size")
    return {code: (int(rank[code]), int(size[code])) for code in frame.index}


class Contents:
    """Fiscal-year-to-date and last-month figures of every unit, and the last three months."""

    def __init__(
        self,
        *,
        counts: pd.DataFrame,
        units: pd.DataFrame,
        predecessors: pd.DataFrame,
        rules: Rules,
        months: Iterable[date],
        trend: Iterable[date],
        notes: Mapping[str, str],
        site_url: str,
    ) -> None:
        self.rules, self.notes, self.site_url = rules, notes, site_url
        self.trend_months = list(trend)
        self.latest = self.trend_months[-1]
        self.tree = OrgTree(units)
        # Clean the counts and join their baselines once for the three passes below.
        prepared = baselines.prepare(counts, predecessors, base_fy=rules.base_fy)
        self.fytd = rollup.summarize(
            prepared, units, predecessors, months=list(months), rules=rules
        )
        self.month = rollup.summarize(
            prepared, units, predecessors, months=[self.latest], rules=rules
        )
        self.trends = _trends(prepared, units, predecessors, rules, self.trend_months)
        self.ranks = _ranks(self.fytd, self.tree, rules.adjusted)

    def status(self, code: str) -> str:
        return self.fytd.at[code, "status"]

    def department(self, code: str) -> dict[str, Any]:
        year, now = self.fytd.loc[code], self.month.loc[code]
        group = self.tree.group.get(code)
        rank, rank_of = self.ranks.get(code, (None, None))
        query = urlencode({"unit": code, "month": format_month_iso(self.latest)})
        empty = [{"month": m, "rate": None} for m in self.trend_months]
        return {
            "code": code,
            "name": self.tree.name[code],
            "group_name": self.tree.name.get(group, "") if group else "",
            "rate": _rate(year, self.rules.adjusted),
            "gap": _gap(year["gap"]),
            "status": year["status"],
            "kind": DEPARTMENT,
            "adjusted_months": int(year["adjusted_months"]),
            "month_rate": _rate(now, self.rules.adjusted),
            "month_gap": _gap(now["gap"]),
            "month_status": now["status"],
            "trend": self.trends.get(code, empty),
            "rank": rank,
            "rank_of": rank_of,
            "note": self.notes.get(code, ""),
            "url": f"{self.site_url}/units/{code}/",
            "template_url": f"{self.site_url}/uploads/template.xlsx?{query}",
        }

    def _unit(self, code: str) -> dict[str, Any]:
        year, adjusted = self.fytd.loc[code], self.rules.adjusted
        return {
            "code": code,
            "name": self.tree.name[code],
            "kind": self.tree.kind[code],
            "rate": _rate(year, adjusted),
            "status": year["status"],
            "gap": _gap(year["gap"]),
            "coverage": None if pd.isna(year["coverage"]) else float(year["coverage"]),
            "reporting": None if pd.isna(year["reporting"]) else float(year["reporting"]),
            "adjusted_months": int(year["adjusted_months"]),
            "adjusted_coverage": None
            if pd.isna(year["adjusted_coverage"])
            else float(year["adjusted_coverage"]),
            "month_rate": _rate(self.month.loc[code], adjusted),
            "month_status": self.month.at[code, "status"],
        }

    def digest(
        self,
        *,
        lagging: list[str],
        not_reported: list[str],
        figures: Mapping[str, dict[str, Any]],
        previous_week: date | None,
        previous_lagging: frozenset[str] | None,
    ) -> dict[str, Any]:
        """The city, its ward offices and bureaus, and the change since the last digest."""
        tree = self.tree
        city = next((c for c, k in tree.kind.items() if k == "city"), None)
        late, behind = set(not_reported), set(lagging)
        groups = []
        for code in tree.sort(c for c, k in tree.kind.items() if k in GROUP_KINDS):
            inside = tree.under.get(code, [])
            groups.append(
                {
                    **self._unit(code),
                    "lagging": sum(1 for d in inside if d in behind),
                    "missing": sum(1 for d in inside if d in late),
                }
            )
        context: dict[str, Any] = {
            "city": self._unit(city) if city else None,
            "wards": [g for g in groups if g["kind"] == "ward_office"],
            "bureaus": [g for g in groups if g["kind"] == "bureau"],
            "lagging_count": len(lagging),
            "worst": sorted((figures[c] for c in lagging), key=lambda d: d["rate"])[:WORST],
            "missing_departments": [figures[c] for c in not_reported],
            "previous": None,
        }
        if previous_lagging is not None:
            achieved = [
                c
                for c in tree.sort(previous_lagging - behind)
                if c in self.fytd.index and self.status(c) == ACHIEVED
            ]
            context["previous"] = {
                "week": previous_week,
                "lagging_count": len(previous_lagging),
                "change": len(lagging) - len(previous_lagging),
                "newly_lagging": [figures[c] for c in lagging if c not in previous_lagging],
                "newly_achieved": [self._unit(c) for c in achieved],
            }
        return context
