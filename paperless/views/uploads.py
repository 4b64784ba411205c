"""Count uploads: template download, upload → preview → confirm, history, the original.

Thin views: check permissions (paperless.access.permissions), bind the form, call one
importing service or read, render or redirect. No view parses a file: an upload is stored
and its check queued (``paperless.importing.tasks``); its page shows the progress and
reloads itself (a meta refresh, no script) until the preview that the check stored in
``Upload.summary`` is there. A confirm claims the ready upload and queues its commit.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paperless import upload_limit
from paperless.access import permissions
from paperless.core.fiscal import (
    format_month_iso,
    latest_complete_month,
    month_label,
    parse_month_iso,
)
from paperless.importing import tasks
from paperless.importing.counts import service, states
from paperless.importing.counts.template import template_bytes
from paperless.models import Upload
from paperless.reads import units, uploads
from paperless.views import params

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50
DONE = (Upload.Status.COMMITTED, Upload.Status.NO_CHANGE)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="ファイル",
        help_text="Excel（.xlsx・.xlsm・.xls）または CSV（.csv）",
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
    )

    def __init__(self, *args, too_large: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large  # the body was stopped at the size limit (upload_limit)

    def full_clean(self) -> None:
        super().full_clean()
        if self.too_large:
            self._errors["file"] = self.error_class([upload_limit.too_large_message()])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        # Django has no upload size limit of its own: refuse before reading it.
        if upload.size > limit:
            raise forms.ValidationError(
                f"ファイルが大きすぎます（上限 {limit / 1024 / 1024:g} MB）。"
                "不要なシートや行を削除するか、ファイルを分けてください。"
            )
        return upload


@login_required
@require_GET
def upload_list(request: HttpRequest) -> HttpResponse:
    """A department head sees their own uploads, an administrator every upload."""
    user = request.user
    permissions.require(permissions.can_upload(user))
    sender = None if permissions.can_list_every_upload(user) else user
    page = Paginator(uploads.uploads_sent_by(sender), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "paperless/uploads/list.html",
        {"page": page, "is_admin": permissions.is_administrator(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload_new(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_upload(request.user))
    too_large = upload_limit.refused(request)
    form = UploadForm(request.POST or None, request.FILES or None, too_large=too_large)
    if request.method == "POST" and form.is_valid():
        if upload := _receive_within_limit(request, form.cleaned_data["file"]):
            tasks.enqueue_check(upload.pk)
            return redirect("paperless:upload_detail", pk=upload.pk)
        form.add_error(
            "file",
            f"確認中のアップロードが{settings.UPLOAD_MAX_CHECKING_PER_USER}件あります。"
            "確認が終わってから、次のファイルをアップロードしてください。",
        )
    return render(request, "paperless/uploads/new.html", _new_context(request, form))


def _receive_within_limit(request: HttpRequest, sent) -> Upload | None:
    """Store the upload unless the user already has as many checks running as allowed."""
    if not states.may_start_check(request.user):
        return None
    upload = service.receive_upload(content=sent.read(), filename=sent.name, user=request.user)
    if states.over_check_limit(upload):  # another upload of the user got in meanwhile
        service.discard_upload(upload)
        return None
    return upload


def _new_context(request: HttpRequest, form: UploadForm) -> dict:
    month = latest_complete_month(timezone.localdate())
    departments = service.template_departments(request.user, None)
    return {
        "form": form,
        "month": format_month_iso(month),
        "month_label": month_label(month),
        "department_count": len(departments),
        "max_mb": settings.UPLOAD_MAX_BYTES / 1024 / 1024,
        "is_admin": permissions.is_administrator(request.user),
    }


@login_required
@require_GET
def upload_template(request: HttpRequest) -> HttpResponse:
    """The template pre-filled with the user's departments (or one unit's subtree)."""
    permissions.require(permissions.can_upload(request.user))
    layout = "wide" if request.GET.get("layout") == "wide" else "long"
    month = _month_param(request.GET.get("month"))
    code = params.unit_code(request.GET.get("unit"))
    if code:
        unit = units.unit_by_code(code)
        # Unknown and forbidden alike: the answer must not tell which codes exist.
        permissions.require(unit is not None and permissions.can_upload_for(request.user, unit))
    departments = service.template_departments(request.user, code)
    content = template_bytes(departments, month, layout=layout)
    suffix = f"{month.year}年度" if layout == "wide" else format_month_iso(month)
    filename = f"枚数報告_{code or '担当所属'}_{suffix}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _month_param(value: str | None) -> date:
    today = timezone.localdate()
    if value:
        try:
            month = parse_month_iso(value)
        except ValueError:
            month = None
        if month is not None and month <= today:
            return month
    return latest_complete_month(today)


@login_required
@require_GET
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = states.expire_if_stale(permissions.visible_upload_or_403(request.user, pk))
    summary = upload.summary or {}
    working = upload.status in (Upload.Status.CHECKING, Upload.Status.COMMITTING)
    return render(
        request,
        "paperless/uploads/detail.html",
        {
            "upload": upload,
            "summary": summary,
            "progress": upload.progress or {},
            "working": working,
            "expire_hours": settings.UPLOAD_EXPIRE_HOURS,
            "can_confirm": upload.status == Upload.Status.READY
            and bool(summary)
            and permissions.can_change_upload(request.user, upload),
            "hidden_rows": max(_record_count(summary) - len(summary.get("rows", [])), 0),
        },
    )


def _record_count(summary: dict) -> int:
    return sum((summary.get("counts") or {}).values())


@login_required
@require_POST
def upload_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    upload = permissions.visible_upload_or_403(request.user, pk)
    permissions.require(permissions.can_change_upload(request.user, upload))
    upload = states.expire_if_stale(upload)
    if not states.claim_for_commit(upload):
        upload.refresh_from_db()
        if upload.status in (Upload.Status.COMMITTING, *DONE):
            messages.info(request, "このアップロードは処理済みです。")
        else:
            messages.error(request, _refusal(upload))
        return redirect("paperless:upload_detail", pk=upload.pk)
    tasks.enqueue_commit(upload.pk, request.user.pk)
    # Without a worker (eager) the commit has run by now; with one, the page shows progress.
    upload.refresh_from_db(fields=["status"])
    # A commit needs no message: the page itself says what was registered.
    if upload.status == Upload.Status.NO_CHANGE:
        messages.info(request, "登録済みの値と同じため、変更はありませんでした。")
    elif upload.status == Upload.Status.REJECTED:
        messages.error(
            request,
            "確認の後にデータが変わったため登録できませんでした。内容を確かめてください。",
        )
    return redirect("paperless:upload_detail", pk=upload.pk)


def _refusal(upload: Upload) -> str:
    """Why a confirm found nothing to claim, in the user's words."""
    status = Upload.Status
    if upload.status == status.EXPIRED:
        return (
            f"確認の期限（{settings.UPLOAD_EXPIRE_HOURS}時間）を過ぎたため登録できません。"
            "もう一度アップロードしてください。"
        )
    if upload.status == status.CHECKING:
        return "まだ内容を確認しています。確認が終わってから登録してください。"
    if upload.status == status.READY:  # ready without a preview: never confirmed blind
        return "確認の結果がないため登録できません。もう一度アップロードしてください。"
    return "このアップロードは登録できません。"


@login_required
@require_POST
def upload_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    upload = permissions.visible_upload_or_403(request.user, pk)
    permissions.require(permissions.can_change_upload(request.user, upload))
    if service.cancel_upload(upload):
        messages.info(request, "アップロードを取り消しました。何も登録していません。")
    return redirect("paperless:upload_detail", pk=upload.pk)


@login_required
@require_GET
def upload_download(request: HttpRequest, pk: int) -> FileResponse:
    """The original file as sent, always as an attachment (never shown inline)."""
    upload = permissions.visible_upload_or_403(request.user, pk)
    response = FileResponse(
        upload.file.open("rb"),
        as_attachment=True,
        filename=upload.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
