"""Who gets which weekly alert.

Planning is pure: ``plan_week`` takes the frames of ``AlertData`` (loaded in a fixed
number of queries by ``data.alert_data_load``) and returns one ``Planned`` message per
(recipient, kind) with the figures it quotes (``contents``). Sending, and the claim
that makes it happen once, is in ``delivery``.

The rules, in the words the messages use:

* The week is named by its Monday; the run looks at the latest complete month
  (the month before the run day) and the fiscal year to that month (FYTD).
* A department is *lagging* when its FYTD status is lagging: the same figure the
  dashboard flags. Its head gets its FYTD and last-month rates and gaps, the last
  three months, its rank in its ward office or bureau and its latest action note.
* A department is *not reported* when it is active and has no count for the latest
  month. Its head is reminded only after the deadline day (the 10th by default):
  before it, nobody is chased and managers' lists leave it out; the digest still
  counts it.
* Managers are the heads of ward offices and bureaus (org master) and users with
  the manager role (their units' subtrees). One message each, listing every lagging
  and not-reported department in their scope; none when both lists are empty.
* The digest goes to executives (role) and the city's head address. "Since last
  week" compares this week's lagging set with the set recorded on the most recent
  earlier digest delivery (its units); without one, the digest says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from paperless.access import permissions
from paperless.alerts.contents import GROUP_KINDS, Contents, OrgTree
from paperless.core import rates, rollup, wording
from paperless.core.fiscal import (
    add_months,
    fiscal_year,
    fy_to_date_months,
    latest_complete_month,
    month_start,
)
from paperless.models import split_emails

LAGGING = "lagging"
MISSING = "missing"
MANAGER = "manager"
DIGEST = "digest"
KINDS = (LAGGING, MISSING, MANAGER, DIGEST)


@dataclass(frozen=True)
class Person:
    """An active user with an e-mail address: their roles and member units (codes)."""

    user_id: int
    email: str
    roles: frozenset[str]
    units: frozenset[str]


@dataclass(frozen=True)
class PreviousDigest:
    week: date
    lagging: frozenset[str]


@dataclass(frozen=True)
class AlertData:
    """Everything planning reads. ``units`` is ``reads.frames.units_frame(with_emails=True)``
    (with ``head_emails``); ``counts`` covers the FYTD, the trend months and the base FY."""

    units: pd.DataFrame
    counts: pd.DataFrame
    predecessors: pd.DataFrame
    rules: rates.Rules
    people: tuple[Person, ...] = ()
    notes: Mapping[str, str] = field(default_factory=dict)
    previous: PreviousDigest | None = None


@dataclass(frozen=True)
class Timing:
    as_of: date
    week: date
    latest: date
    fy: int
    months: tuple[date, ...]
    trend: tuple[date, ...]
    deadline: date

    @property
    def reminders_due(self) -> bool:
        """Missing uploads are chased only once the deadline day has passed."""
        return self.as_of > self.deadline


@dataclass(frozen=True)
class Planned:
    kind: str
    recipient: str
    user_id: int | None
    units: tuple[str, ...]
    context: dict[str, Any]


@dataclass(frozen=True)
class WeekPlan:
    timing: Timing
    messages: tuple[Planned, ...]
    lagging: tuple[str, ...]
    missing: tuple[str, ...]
    # Departments that needed a message but have no head address to send it to.
    unaddressed: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)

    def by_kind(self, kind: str) -> list[Planned]:
        return [m for m in self.messages if m.kind == kind]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: the key of a weekly delivery."""
    return day - timedelta(days=day.weekday())


def week_timing(as_of: date, *, deadline_day: int) -> Timing:
    latest = latest_complete_month(as_of)
    fy = fiscal_year(latest)
    this_month = month_start(as_of)
    return Timing(
        as_of=as_of,
        week=week_start(as_of),
        latest=latest,
        fy=fy,
        months=tuple(fy_to_date_months(fy, latest)),
        trend=tuple(add_months(latest, -i) for i in (2, 1, 0)),
        # The counts chased this month are the previous month's.
        deadline=wording.upload_deadline(add_months(this_month, -1), max(deadline_day, 1)),
    )


def data_months(timing: Timing) -> list[date]:
    """The months whose counts planning needs (besides the base fiscal year)."""
    return sorted(set(timing.months) | set(timing.trend))


def email_key(address: str) -> str:
    """The form an address is stored and compared in (the unique claim is on it)."""
    return address.strip().lower()


class _Recipients:
    """Who is in scope of each kind, by address (lower-cased: one mailbox, one message)."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.user_of: dict[str, int] = {}
        for person in people:
            self.user_of.setdefault(email_key(person.email), person.user_id)
        self.scopes: dict[str, dict[str, set[str]]] = {k: {} for k in KINDS}

    def add(self, kind: str, address: str, codes: Iterable[str]) -> None:
        key = email_key(address)
        if key:
            self.scopes[kind].setdefault(key, set()).update(codes)


def _recipients(data: AlertData, tree: OrgTree, units: pd.DataFrame) -> _Recipients:
    found = _Recipients(data.people)
    emails = dict(zip(units["code"], units["head_emails"].fillna(""), strict=True))
    active = dict(zip(units["code"], units["active"].astype(bool), strict=True))
    for code, text in emails.items():
        if not active[code]:
            continue
        for address in split_emails(text):
            kind = tree.kind[code]
            if kind == rates.DEPARTMENT:
                found.add(LAGGING, address, [code])
            elif kind in GROUP_KINDS:
                found.add(MANAGER, address, [code])
            elif kind == "city":
                found.add(DIGEST, address, [code])
    for person in data.people:
        if permissions.DEPARTMENT_HEAD in person.roles:
            found.add(LAGGING, person.email, tree.departments(person.units))
        if permissions.MANAGER in person.roles and person.units:
            found.add(MANAGER, person.email, person.units)
        if permissions.EXECUTIVE in person.roles:
            found.add(DIGEST, person.email, [])
    return found


def _links(site_url: str) -> dict[str, str]:
    return {
        "dashboard_url": f"{site_url}/",
        "upload_url": f"{site_url}/uploads/new/",
        "mine_url": f"{site_url}/alerts/mine/",
    }


def plan_week(data: AlertData, *, as_of: date, deadline_day: int, site_url: str) -> WeekPlan:
    """Every message of the week for the data as it stands; one per (recipient, kind)."""
    timing = week_timing(as_of, deadline_day=deadline_day)
    rules, units = data.rules, data.units
    contents = Contents(
        counts=data.counts,
        units=units,
        predecessors=data.predecessors,
        rules=rules,
        months=timing.months,
        trend=timing.trend,
        notes=data.notes,
        site_url=site_url,
    )
    tree = contents.tree
    depts = units[(units["kind"] == rates.DEPARTMENT) & units["active"].astype(bool)]["code"]
    lagging = tree.sort(c for c in depts if contents.status(c) == rates.LAGGING)
    reported = set(rollup.reported_frame(data.counts, months=[timing.latest])["department"])
    not_reported = tree.sort(c for c in depts if c not in reported)
    chased = not_reported if timing.reminders_due else []
    figures = {code: contents.department(code) for code in {*lagging, *not_reported}}
    base = {
        "week": timing.week,
        "as_of": timing.as_of,
        "latest": timing.latest,
        "months": timing.months,
        "deadline": timing.deadline,
        "reminders_due": timing.reminders_due,
        "threshold": rules.threshold,
        "city_goal": rules.city_goal,
        "adjusted": rules.adjusted,
        "site_url": site_url,
        **_links(site_url),
    }
    people = _recipients(data, tree, units)
    messages: list[Planned] = []
    addressed: set[str] = set()

    def add(kind: str, key: str, codes: list[str], context: dict[str, Any]) -> None:
        messages.append(
            Planned(
                kind=kind,
                recipient=key,
                user_id=people.user_of.get(key),
                units=tuple(codes),
                context={**base, "kind": kind, **context},
            )
        )

    for kind, wanted in ((LAGGING, set(lagging)), (MISSING, set(chased))):
        for key, scope in people.scopes[LAGGING].items():
            codes = tree.sort(scope & wanted)
            if codes:
                addressed.update(codes)
                add(kind, key, codes, {"departments": [figures[c] for c in codes]})
    for key, scope in people.scopes[MANAGER].items():
        inside = tree.departments(scope)
        late = [c for c in chased if c in inside]
        behind = [c for c in lagging if c in inside]
        if late or behind:
            context = {
                "scope_names": [tree.name[c] for c in tree.sort(scope) if c in tree.name],
                "lagging_departments": [figures[c] for c in behind],
                "missing_departments": [figures[c] for c in late],
            }
            add(MANAGER, key, tree.sort([*behind, *late]), context)
    if people.scopes[DIGEST]:
        previous = data.previous
        digest = contents.digest(
            lagging=lagging,
            not_reported=not_reported,
            figures=figures,
            previous_week=previous.week if previous else None,
            previous_lagging=previous.lagging if previous else None,
        )
        for key in people.scopes[DIGEST]:
            add(DIGEST, key, lagging, digest)
    return WeekPlan(
        timing=timing,
        messages=tuple(messages),
        lagging=tuple(lagging),
        missing=tuple(not_reported),
        unaddressed=tuple(tree.sort({*lagging, *chased} - addressed)),
        names=tree.name,
    )
