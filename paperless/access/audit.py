"""The audit trail as administrators read it: who changed what, when, old → new, and why.

Two records exist and one page shows both. django-simple-history keeps every version of
counts, units, memberships, policies and action notes (including command-line imports,
with the upload they came from). Everything changed in the admin — users and their
roles (groups), the alert schedule (django-celery-beat) and the models above — is also
in Django's admin log (LogEntry). Neither can be edited from the application.

The records come from ``paperless.reads.audit`` in a fixed number of queries per page
(the page of versions, their previous versions, many-to-many rows, one query per
related model); this module turns them into the entries the page shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.paginator import Page
from django.db import models

from paperless.core.fiscal import month_label
from paperless.models import ActionNote, Membership, MonthlyCount, Policy, Unit, Upload
from paperless.reads import audit as audit_reads

PER_PAGE = 50
ACTIONS = {"+": "追加", "~": "変更", "-": "削除"}
ADMIN_ACTIONS = {ADDITION: "追加", CHANGE: "変更", DELETION: "削除"}
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    """One change as shown in the audit table."""

    when: datetime
    who: str
    action: str
    subject: str
    changes: tuple[FieldChange, ...]
    reason: str
    source: str


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    model: type[models.Model] | None  # None: the admin log
    unit_lookup: str | None = None  # how to filter its history by a unit code


SOURCES = (
    Source("counts", "月別枚数", MonthlyCount, "department__code"),
    Source("units", "所属（組織）", Unit, "code"),
    Source("memberships", "担当所属", Membership, "unit__code"),
    Source("policy", "目標設定", Policy),
    Source("notes", "改善の取組", ActionNote, "department__code"),
    Source("admin", "管理画面での変更（ユーザー・役割・アラート設定など）", None),
)
SOURCES_BY_KEY = {s.key: s for s in SOURCES}


def entries_page(
    source: Source, *, unit_code: str = "", page: str | int | None = 1, per_page: int = PER_PAGE
) -> Page:
    """A page of changes, newest first; page.object_list holds Entry rows."""
    if source.model is None:
        return _admin_log_page(page, per_page)
    filters = {source.unit_lookup: unit_code} if unit_code and source.unit_lookup else {}
    result = audit_reads.history_page(source.model, filters=filters, page=page, per_page=per_page)
    result.object_list = _history_entries(source, list(result.object_list))
    return result


def _admin_log_page(page: str | int | None, per_page: int) -> Page:
    result = audit_reads.admin_log_page(page, per_page)
    result.object_list = [
        Entry(
            when=e.action_time,
            who=_user_label(e.user),
            action=ADMIN_ACTIONS.get(e.action_flag, EMPTY),
            subject=f"{e.content_type.name if e.content_type else EMPTY}：{e.object_repr}",
            changes=(),
            reason=e.get_change_message(),
            source="管理画面",
        )
        for e in result.object_list
    ]
    return result


def _history_entries(source: Source, records: list[Any]) -> list[Entry]:
    if not records:
        return []
    model = source.model
    previous = audit_reads.previous_versions(model, records)
    m2m = audit_reads.m2m_values(model, [*records, *previous.values()])
    fields = _tracked_fields(model)
    labels = _related_labels(fields, [*records, *previous.values()], m2m)
    entries = []
    for record in records:
        before = previous.get(record.history_id)
        entries.append(
            Entry(
                when=record.history_date,
                who=_user_label(record.history_user),
                action=ACTIONS.get(record.history_type, record.history_type),
                subject=_subject(source.key, record, labels),
                changes=tuple(_changes(record, before, fields, m2m, labels)),
                reason=record.history_change_reason or "",
                source=_upload_source(record, labels),
            )
        )
    return entries


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields people change (not the row's id), many-to-many ones last."""
    historical = model.history.model
    plain = [f for f in historical.tracked_fields if f.editable and not f.primary_key]
    return plain + list(historical._history_m2m_fields)


def _related_labels(
    fields: list[models.Field], records: list[Any], m2m: dict[tuple[int, str], list]
) -> dict[type[models.Model], dict[Any, str]]:
    """Names of every object the versions point to, one query per related model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for field in fields:
        if isinstance(field, models.ForeignKey):
            wanted[field.related_model].update(
                pk for r in records if (pk := getattr(r, field.attname)) is not None
            )
        elif isinstance(field, models.ManyToManyField):
            for (_history_id, name), pks in m2m.items():
                if name == field.name:
                    wanted[field.related_model].update(pks)
    return {
        related: {pk: _object_label(obj) for pk, obj in objects.items()}
        for related, objects in audit_reads.objects_by_pk(wanted).items()
    }


def _object_label(obj: models.Model) -> str:
    if isinstance(obj, Unit):
        return f"{obj.name}（{obj.code}）"
    if isinstance(obj, Upload):
        return f"{obj.original_name}（#{obj.pk}）"
    if hasattr(obj, "get_username"):
        return _user_label(obj)
    return str(obj)


def _user_label(user: Any) -> str:
    if user is None:
        return "（記録なし：コマンド・一括処理）"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full}（{user.get_username()}）" if full else user.get_username()


def _label(labels: dict, field: models.Field, pk: Any) -> str:
    if pk is None:
        return EMPTY
    return labels.get(field.related_model, {}).get(pk, f"#{pk}（削除済み）")


def _subject(key: str, record: Any, labels: dict) -> str:
    def unit(pk: int) -> str:
        return labels.get(Unit, {}).get(pk, f"#{pk}")

    if key == "counts":
        return f"{unit(record.department_id)} {month_label(record.month)}"
    if key == "units":
        return f"{record.name}（{record.code}）"
    if key == "memberships":
        user = labels.get(_user_model(), {}).get(record.user_id, f"#{record.user_id}")
        return f"{user} → {unit(record.unit_id)}"
    if key == "policy":
        return f"{record.fiscal_year}年度から"
    if key == "notes":
        return f"{unit(record.department_id)} {record.noted_on:%Y-%m-%d}"
    return str(record.instance)


def _user_model() -> type[models.Model]:
    return Membership._meta.get_field("user").related_model


def _upload_source(record: Any, labels: dict) -> str:
    upload_id = getattr(record, "upload_id", None)
    if upload_id is None:
        return ""
    return "取込：" + labels.get(Upload, {}).get(upload_id, f"#{upload_id}")


def _changes(
    record: Any, before: Any, fields: list[models.Field], m2m: dict, labels: dict
) -> Iterable[FieldChange]:
    for field in fields:
        new = _value(record, field, m2m, labels)
        if record.history_type == "-":
            yield FieldChange(str(field.verbose_name), new, EMPTY)
            continue
        old = _value(before, field, m2m, labels) if before is not None else EMPTY
        if old != new:
            yield FieldChange(str(field.verbose_name), old, new)


def _value(record: Any, field: models.Field, m2m: dict, labels: dict) -> str:
    if isinstance(field, models.ManyToManyField):
        pks = m2m.get((record.history_id, field.name), [])
        return "、".join(_label(labels, field, pk) for pk in pks) or EMPTY
    if isinstance(field, models.ForeignKey):
        return _label(labels, field, getattr(record, field.attname))
    return _format(field, getattr(record, field.attname))


def _format(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return month_label(value) if field.name == "month" else value.isoformat()
    return str(value)
