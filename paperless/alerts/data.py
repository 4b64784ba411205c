"""The week's ``AlertData``: everything planning reads, loaded through ``paperless.reads``."""

from __future__ import annotations

from datetime import date

from paperless.alerts.planning import AlertData, Person, PreviousDigest, Timing, data_months
from paperless.reads import alert_data, frames


def alert_data_load(timing: Timing) -> AlertData:
    """The frames and values of the week ``timing`` names (nine queries, any tree size)."""
    rules = frames.rules_for(timing.fy)
    return AlertData(
        units=frames.units_frame(with_emails=True),
        counts=frames.counts_frame(months=data_months(timing), base_fy=rules.base_fy),
        predecessors=frames.predecessors_frame(),
        rules=rules,
        people=tuple(
            Person(user_id=pk, email=email, roles=roles, units=units)
            for pk, email, roles, units in alert_data.people()
        ),
        notes=alert_data.latest_note_texts(),
        previous=_previous_digest(timing.week),
    )


def _previous_digest(week: date) -> PreviousDigest | None:
    found = alert_data.previous_digest(week)
    return None if found is None else PreviousDigest(week=found[0], lagging=found[1])
