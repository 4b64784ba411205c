"""Who gets which weekly alert: planning on frames built in code (no database)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from paperless.access import permissions
from paperless.alerts.planning import (
    DIGEST,
    LAGGING,
    MANAGER,
    MISSING,
    AlertData,
    Person,
    PreviousDigest,
    plan_week,
    week_start,
    week_timing,
)
from paperless.core import rates
from paperless.core.fiscal import fiscal_months, months_between

SITE = "https://paperless.example"
MONDAY_AFTER_DEADLINE = date(2023, 1, 16)  # latest complete month: December 2022
FYTD = months_between(date(2022, 4, 1), date(2022, 12, 1))

# code, name, kind, parent, head e-mails
ORG = [
    ("100000", "堺市", "city", None, "cdxo-office@city.example"),
    ("110000", "堺区役所", "ward_office", "100000", "sakai-kucho@city.example"),
    ("110100", "企画総務課", "department", "110000", "d1@city.example"),
    ("110200", "市民課", "department", "110000", "d2@city.example"),
    ("110300", "保険年金課", "department", "110000", "d3@city.example"),
    ("110400", "地域福祉課", "department", "110000", ""),
    ("200000", "財政局", "bureau", "100000", "zaisei-kyokucho@city.example"),
    ("201000", "税務部", "division", "200000", "bucho@city.example"),
    ("201100", "市民税課", "department", "201000", "d5@city.example"),
    ("201200", "納税課", "department", "201000", "d6@city.example"),
]
# Sheets per month this fiscal year against 100 in every base-year month.
LEVELS = {"110100": 80, "110200": 60, "110300": 60, "110400": 90, "201100": 60, "201200": 75}
D1, D2, D3, D4, D5, D6 = LEVELS


def units_frame(org=ORG, inactive: tuple[str, ...] = ()) -> pd.DataFrame:
    rows = [
        (code, name, kind, parent, code not in inactive, i, i + 1, emails)
        for i, (code, name, kind, parent, emails) in enumerate(org)
    ]
    columns = ["code", "name", "kind", "parent", "active", "sort_order", "id", "head_emails"]
    return pd.DataFrame(rows, columns=columns)


def counts_frame(levels=LEVELS, skip: set[tuple[str, date]] = frozenset()) -> pd.DataFrame:
    rows = []
    for dept, level in levels.items():
        for month in fiscal_months(2020):
            rows.append((dept, month, 60, 40, None))
        for month in FYTD:
            if (dept, month) not in skip:
                rows.append((dept, month, level - 30, 30, None))
    columns = ["department", "month", "print_sheets", "copy_sheets", "excluded_sheets"]
    return pd.DataFrame(rows, columns=columns)


def data(
    *,
    people=(),
    notes=None,
    previous=None,
    org=ORG,
    levels=LEVELS,
    skip=frozenset({(D3, date(2022, 12, 1))}),
    inactive=(),
) -> AlertData:
    return AlertData(
        units=units_frame(org, inactive),
        counts=counts_frame(levels, skip),
        predecessors=pd.DataFrame(columns=["unit", "predecessor"]),
        rules=rates.Rules(base_fy=2020, threshold=0.30),
        people=tuple(people),
        notes=notes or {},
        previous=previous,
    )


def plan(d: AlertData | None = None, as_of: date = MONDAY_AFTER_DEADLINE):
    return plan_week(d or data(), as_of=as_of, deadline_day=10, site_url=SITE)


def only(messages, recipient: str):
    found = [m for m in messages if m.recipient == recipient]
    assert len(found) == 1, [m.recipient for m in messages]
    return found[0]


def test_week_is_named_by_its_monday_and_looks_at_the_month_before_the_run():
    timing = week_timing(date(2023, 1, 19), deadline_day=10)
    assert timing.week == date(2023, 1, 16) == week_start(date(2023, 1, 22))
    assert timing.latest == date(2022, 12, 1)
    assert timing.months == tuple(FYTD)
    assert timing.trend == (date(2022, 10, 1), date(2022, 11, 1), date(2022, 12, 1))


def test_deadline_day_past_the_end_of_a_short_month_is_its_last_day():
    assert week_timing(date(2023, 2, 6), deadline_day=31).deadline == date(2023, 2, 28)


def test_lagging_departments_are_those_below_the_threshold_for_the_year_to_date():
    result = plan()
    assert result.lagging == (D1, D4, D6)
    assert [m.recipient for m in result.by_kind(LAGGING)] == [
        "d1@city.example",
        "d6@city.example",
    ]


def test_lagging_head_gets_rate_gaps_trend_rank_note_and_link():
    result = plan(data(notes={D1: "会議資料をタブレットで閲覧します。"}))
    message = only(result.by_kind(LAGGING), "d1@city.example")
    assert message.units == (D1,)
    (dept,) = message.context["departments"]
    assert dept["rate"] == pytest.approx(0.20)
    assert dept["gap"] == 80 * 9 - 70 * 9  # sheets still to cut this fiscal year
    assert dept["month_rate"] == pytest.approx(0.20)
    assert dept["month_gap"] == 10
    assert [t["month"] for t in dept["trend"]] == [date(2022, m, 1) for m in (10, 11, 12)]
    assert [t["rate"] for t in dept["trend"]] == pytest.approx([0.2, 0.2, 0.2])
    # 市民課 and 保険年金課 at 40%, then 企画総務課, then 地域福祉課 at 10%.
    assert (dept["rank"], dept["rank_of"], dept["group_name"]) == (3, 4, "堺区役所")
    assert dept["note"] == "会議資料をタブレットで閲覧します。"
    assert dept["url"] == f"{SITE}/units/{D1}/"
    assert message.context["threshold"] == 0.30


def test_rank_is_within_the_bureau_across_its_divisions():
    dept = only(plan().by_kind(LAGGING), "d6@city.example").context["departments"][0]
    assert (dept["rank"], dept["rank_of"], dept["group_name"]) == (2, 2, "財政局")


def test_trend_leaves_a_month_without_a_report_empty_instead_of_zero():
    dept = plan().by_kind(MISSING)[0].context["departments"][0]
    assert [t["rate"] for t in dept["trend"]] == pytest.approx([0.4, 0.4, None])


def test_a_head_of_two_lagging_departments_gets_one_message_naming_both():
    org = [row if row[0] != D6 else (*row[:4], "D1@City.Example") for row in ORG]
    message = only(plan(data(org=org)).by_kind(LAGGING), "d1@city.example")
    assert message.units == (D1, D6)
    assert [d["code"] for d in message.context["departments"]] == [D1, D6]


def test_missing_upload_is_chased_only_after_the_deadline_day():
    for before in (date(2023, 1, 2), date(2023, 1, 9), date(2023, 1, 10)):
        early = plan(as_of=before)
        assert early.missing == (D3,)
        assert early.by_kind(MISSING) == []
    message = only(plan(as_of=date(2023, 1, 11)).by_kind(MISSING), "d3@city.example")
    (dept,) = message.context["departments"]
    assert dept["template_url"] == f"{SITE}/uploads/template.xlsx?unit={D3}&month=2022-12"
    assert message.context["upload_url"] == f"{SITE}/uploads/new/"
    assert message.context["deadline"] == date(2023, 1, 10)


def test_inactive_departments_are_neither_missing_nor_lagging():
    result = plan(data(inactive=(D3, D4)))
    assert result.missing == ()
    assert D4 not in result.lagging


def test_ward_and_bureau_heads_get_one_list_each_with_lagging_and_missing():
    result = plan()
    ward = only(result.by_kind(MANAGER), "sakai-kucho@city.example")
    assert [d["code"] for d in ward.context["lagging_departments"]] == [D1, D4]
    assert [d["code"] for d in ward.context["missing_departments"]] == [D3]
    assert ward.context["scope_names"] == ["堺区役所"]
    bureau = only(result.by_kind(MANAGER), "zaisei-kyokucho@city.example")
    assert [d["code"] for d in bureau.context["lagging_departments"]] == [D6]
    # Division heads are not managers in this sense.
    assert all(m.recipient != "bucho@city.example" for m in result.messages)


def test_a_manager_of_two_units_gets_one_message_not_one_per_department():
    manager = Person(
        user_id=7,
        email="Fukushicho@City.Example",
        roles=frozenset({permissions.MANAGER}),
        units=frozenset({"110000", "200000"}),
    )
    message = only(plan(data(people=[manager])).by_kind(MANAGER), "fukushicho@city.example")
    assert message.user_id == 7
    assert message.units == (D1, D3, D4, D6)
    assert message.context["scope_names"] == ["堺区役所", "財政局"]


def test_managers_lists_leave_out_not_reported_before_the_deadline():
    result = plan(as_of=date(2023, 1, 9))
    ward = only(result.by_kind(MANAGER), "sakai-kucho@city.example")
    assert ward.context["missing_departments"] == []
    assert ward.units == (D1, D4)


def test_a_manager_with_nothing_lagging_or_missing_gets_no_message():
    levels = {**LEVELS, D6: 60}
    result = plan(data(levels=levels))
    assert all(m.recipient != "zaisei-kyokucho@city.example" for m in result.messages)


def test_department_head_role_reaches_the_departments_of_the_users_units():
    head = Person(
        3, "kacho@city.example", frozenset({permissions.DEPARTMENT_HEAD}), frozenset({D4})
    )
    message = only(plan(data(people=[head])).by_kind(LAGGING), "kacho@city.example")
    assert message.units == (D4,)
    assert message.user_id == 3


def test_department_without_any_head_address_is_listed_as_unaddressed():
    assert plan().unaddressed == (D4,)


def test_a_user_whose_address_is_a_head_address_is_linked_to_the_message():
    user = Person(9, "D1@city.example", frozenset(), frozenset())
    assert only(plan(data(people=[user])).by_kind(LAGGING), "d1@city.example").user_id == 9


def test_digest_goes_once_to_each_executive_and_to_the_city_address():
    executive = Person(1, "mayor@city.example", frozenset({permissions.EXECUTIVE}), frozenset())
    twice = Person(2, "MAYOR@city.example", frozenset({permissions.EXECUTIVE}), frozenset())
    digests = plan(data(people=[executive, twice])).by_kind(DIGEST)
    assert sorted(m.recipient for m in digests) == [
        "cdxo-office@city.example",
        "mayor@city.example",
    ]


def test_digest_has_city_rate_ward_table_lagging_and_not_reported():
    context = plan().by_kind(DIGEST)[0].context
    # 保険年金課's unreported December counts on neither side.
    current = 9 * (80 + 60 + 90 + 60 + 75) + 8 * 60
    assert context["city"]["rate"] == pytest.approx(1 - current / (100 * (9 * 5 + 8)))
    assert [(g["name"], g["lagging"], g["missing"]) for g in context["wards"]] == [
        ("堺区役所", 2, 1)
    ]
    assert [(g["name"], g["lagging"]) for g in context["bureaus"]] == [("財政局", 1)]
    assert context["lagging_count"] == 3
    assert [d["code"] for d in context["worst"]] == [D4, D1, D6]
    assert [d["code"] for d in context["missing_departments"]] == [D3]
    assert context["previous"] is None


def test_digest_compares_with_the_lagging_set_recorded_last_week():
    previous = PreviousDigest(week=date(2023, 1, 9), lagging=frozenset({D1, D2, D5}))
    context = plan(data(previous=previous)).by_kind(DIGEST)[0].context["previous"]
    assert context["lagging_count"] == 3
    assert context["change"] == 0
    assert [d["code"] for d in context["newly_lagging"]] == [D4, D6]
    assert [d["code"] for d in context["newly_achieved"]] == [D2, D5]
    assert context["week"] == date(2023, 1, 9)


def test_a_department_that_stopped_reporting_is_not_newly_achieved():
    previous = PreviousDigest(week=date(2023, 1, 9), lagging=frozenset({D1, D3}))
    levels = {**LEVELS, D3: 80}
    skip = {(D3, m) for m in FYTD}
    context = plan(data(previous=previous, levels=levels, skip=skip)).by_kind(DIGEST)[0]
    assert context.context["previous"]["newly_achieved"] == []
    assert context.context["previous"]["change"] == 1


def test_digest_records_the_lagging_set_as_its_units():
    assert plan().by_kind(DIGEST)[0].units == (D1, D4, D6)


def test_every_recipient_gets_at_most_one_message_of_each_kind():
    people = [
        Person(1, "d1@city.example", frozenset(permissions.ROLES), frozenset({"100000"})),
        Person(2, "sakai-kucho@city.example", frozenset({permissions.MANAGER}), frozenset()),
    ]
    result = plan(data(people=people), as_of=date(2023, 1, 11))
    keys = [(m.recipient, m.kind) for m in result.messages]
    assert len(keys) == len(set(keys))
    assert {k for r, k in keys if r == "d1@city.example"} == {LAGGING, MISSING, MANAGER, DIGEST}
