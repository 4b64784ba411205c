"""The Django admin in Japanese: org master, counts, policy; uploads and deliveries read-only
(a delivery left 送信中 can only be resolved, as arrived or not).

Only administrators (the 管理者 group) enter it, and the change history it shows is
evidence: it can be read, never reverted or edited.

One module, as Django's admin discovers it: each model's admin page with the same
checks as the importers (why it passes ~300 lines).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from paperless.access import permissions
from paperless.alerts import delivery
from paperless.core import meters, register, wording
from paperless.core.succession import Link, check_links
from paperless.importing.cells import normalize_code
from paperless.models import (
    ActionNote,
    AlertDelivery,
    CounterAssignment,
    Membership,
    MeterReading,
    MonthlyCount,
    Policy,
    Succession,
    Unit,
    Upload,
)

admin.site.site_header = "堺市 ペーパーレス取組状況 管理"
admin.site.site_title = "ペーパーレス管理"
admin.site.index_title = "管理メニュー"


def _administrators_only(request) -> bool:
    """is_staff alone is not enough: a staff account without the 管理者 role stays out."""
    user = request.user
    return user.is_active and user.is_staff and permissions.is_administrator(user)


admin.site.has_permission = _administrators_only


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History pages show old versions; posting one back (a "revert") is refused."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ViewOnly:
    """Rows that change only through their own path (an upload, a delivery run, a meter
    file) and are evidence afterwards: shown, never added, changed or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class UnitForm(forms.ModelForm):
    """The checks of the org master import: no cycle, no kind change that orphans counts."""

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "active", "head_emails", "sort_order"]

    def clean(self):
        data = super().clean()
        unit, parent = self.instance, data.get("parent")
        if unit.pk and parent is not None:
            parents = dict(Unit.objects.values_list("pk", "parent_id"))
            node, seen = parent.pk, set()
            while node is not None and node not in seen:
                if node == unit.pk:
                    self.add_error("parent", "上位所属をたどると自分自身に戻ります（循環）。")
                    break
                seen.add(node)
                node = parents.get(node)
        was_department = unit.pk and unit.kind == Unit.Kind.DEPARTMENT
        leaves = data.get("kind") not in (None, Unit.Kind.DEPARTMENT)
        if was_department and leaves and MonthlyCount.objects.filter(department=unit).exists():
            self.add_error(
                "kind",
                "この所属には月別枚数があるため、種別を「所属」から変えられません。",
            )
        return data


class SuccessionFormSet(forms.BaseInlineFormSet):
    """Predecessors and their shares, checked by the same rules as the org master import."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        heir = self.instance
        submitted = [
            Link(heir.code, form.cleaned_data["to_unit"].code, form.cleaned_data.get("share"))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        others = [
            Link(heir_code, predecessor, share)
            for heir_code, predecessor, share in Succession.objects.exclude(
                from_unit_id=heir.pk
            ).values_list("from_unit__code", "to_unit__code", "share")
        ]
        active = dict(Unit.objects.values_list("code", "active")) | {heir.code: heir.active}
        involved = {link.predecessor for link in submitted} | {heir.code}
        heirs = {heir.code} | {link.heir for link in others if link.predecessor in involved}
        problems = [
            problem.message
            for problem in check_links(submitted + others, active)
            if heirs & set(problem.heirs)
        ]
        if problems:
            raise ValidationError(problems)


class SuccessionInline(admin.TabularInline):
    model = Succession
    fk_name = "from_unit"
    formset = SuccessionFormSet
    extra = 0
    autocomplete_fields = ["to_unit"]
    verbose_name = "前身の所属（4月1日の組織改正）"
    verbose_name_plural = "前身の所属（4月1日の組織改正）"


@admin.register(Unit)
class UnitAdmin(ReadOnlyHistoryAdmin):
    form = UnitForm
    list_display = ["code", "name", "kind", "parent", "active", "sort_order"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline, MembershipInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if any(f.model is Succession and f.has_changed() for f in formsets):
            form.instance._change_reason = "前身の所属・引継割合を変更"
            form.instance.save()  # a history version that holds the new links


@admin.register(Membership)
class MembershipAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "unit"]
    search_fields = ["user__username", "unit__code", "unit__name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(MonthlyCount)
class MonthlyCountAdmin(ViewOnly, ReadOnlyHistoryAdmin):
    """Read-only: counts change only through an upload, with its checks and history."""

    list_display = [
        "department",
        "month",
        "print_sheets",
        "copy_sheets",
        "excluded_sheets",
        "upload",
        "updated_at",
    ]
    list_filter = ["month"]
    search_fields = ["department__code", "department__name"]
    list_select_related = ["department", "upload"]
    date_hierarchy = "month"

    def changelist_view(self, request, extra_context=None):
        messages.info(
            request,
            "月別枚数の登録・修正は「アップロード」画面（"
            f"{reverse('paperless:upload_new')}）から行います。"
            "ファイルの検証と変更履歴が残るよう、ここでは編集できません。",
        )
        return super().changelist_view(request, extra_context)


class PercentField(forms.DecimalField):
    """A rate typed and shown as a percentage (30 or 32.5), stored as a fraction (0.300)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_digits=4, decimal_places=1, min_value=0, max_value=100, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # the stored fraction; typed text stays as typed
            return f"{(value * 100).normalize():f}"
        return value

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else percent / 100


class PolicyForm(forms.ModelForm):
    threshold = PercentField(label="取組基準（削減率、%）", help_text="例：30 または 32.5")
    city_goal = PercentField(label="全市目標（削減率、%）", required=False, help_text="例：50")

    class Meta:
        model = Policy
        fields = [
            "fiscal_year",
            "base_fiscal_year",
            "threshold",
            "city_goal",
            "programme_start",
            "status_basis",
        ]


@admin.register(Policy)
class PolicyAdmin(ReadOnlyHistoryAdmin):
    form = PolicyForm
    list_display = [
        "fiscal_year",
        "base_fiscal_year",
        "threshold_shown",
        "goal_shown",
        "status_basis",
    ]

    @admin.display(description="取組基準", ordering="threshold")
    def threshold_shown(self, policy: Policy) -> str:
        return wording.threshold_text(float(policy.threshold))

    @admin.display(description="全市目標", ordering="city_goal")
    def goal_shown(self, policy: Policy) -> str:
        return "—" if policy.city_goal is None else wording.threshold_text(float(policy.city_goal))


@admin.register(Upload)
class UploadAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "uploaded_at", "scope", "source", "status"]
    list_filter = ["status", "source"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["uploaded_by", "scope"]


@admin.register(ActionNote)
class ActionNoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ["department", "noted_on", "target_month", "author"]
    search_fields = ["department__name", "text"]
    autocomplete_fields = ["department"]
    list_select_related = ["department", "author"]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ViewOnly, admin.ModelAdmin):
    list_display = [
        "week",
        "kind",
        "recipient",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
        "subject",
    ]
    list_filter = ["status", "kind", "week"]
    search_fields = ["recipient", "subject"]
    actions = ["resolve_arrived", "resolve_not_arrived"]

    @admin.action(description="送信中のまま止まった記録: 届いていた（送信済みにする）")
    def resolve_arrived(self, request, queryset) -> None:
        self._resolve(request, queryset, arrived=True)

    @admin.action(
        description="送信中のまま止まった記録: 届いていない（送信待ちに戻し、次の実行で送る）"
    )
    def resolve_not_arrived(self, request, queryset) -> None:
        self._resolve(request, queryset, arrived=False)

    def _resolve(self, request, queryset, *, arrived: bool) -> None:
        rows = list(queryset.filter(status=AlertDelivery.Status.SENDING))
        changed = delivery.resolve_interrupted([r.pk for r in rows], arrived=arrived)
        answer = "届いていた" if arrived else "届いていない"
        for row in rows:
            self.log_change(request, row, f"送信中のまま止まった記録を「{answer}」として解決")
        self.message_user(request, f"{changed}件の送信中の記録を「{answer}」として解決しました。")


class CounterAssignmentForm(forms.ModelForm):
    """The register's rules, as ``import_devices`` checks them."""

    class Meta:
        model = CounterAssignment
        fields = [
            "device_serial",
            "account",
            "department",
            "start_date",
            "end_date",
            "model_name",
            "location",
        ]

    def clean_device_serial(self) -> str:
        # Serials and department IDs are compared after NFKC, as import_devices reads them.
        return normalize_code(self.cleaned_data["device_serial"]) or ""

    def clean_account(self) -> str:
        return normalize_code(self.cleaned_data["account"]) or ""

    def clean(self):
        data = super().clean()
        serial, start = data.get("device_serial"), data.get("start_date")
        if not serial or not start or data.get("department") is None:
            return data
        mine = meters.Assignment(
            serial, data.get("account") or "", data["department"].code, start, data.get("end_date")
        )
        others = CounterAssignment.objects.filter(device_serial=serial).exclude(pk=self.instance.pk)
        rows = [meters.Assignment(serial, a.account, "", a.start_date, a.end_date) for a in others]
        problems = [m for _row, m in register.register_problems_for([mine], rows)]
        if problems:
            raise ValidationError(problems)
        return data


@admin.register(CounterAssignment)
class CounterAssignmentAdmin(ReadOnlyHistoryAdmin):
    form = CounterAssignmentForm
    list_display = ["device_serial", "account", "department", "start_date", "end_date", "location"]
    list_filter = ["department__parent"]
    search_fields = ["device_serial", "account", "department__code", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]


@admin.register(MeterReading)
class MeterReadingAdmin(ViewOnly, admin.ModelAdmin):
    """Readings come from the lessor's files, through the same checks as an upload."""

    list_display = [
        "device_serial",
        "account",
        "read_on",
        "print_counter",
        "copy_counter",
        "upload",
    ]
    search_fields = ["device_serial", "account"]
    date_hierarchy = "read_on"
    list_select_related = ["upload"]


class UserMembershipInline(admin.TabularInline):
    """The user's units (担当所属), assigned on the user's own page next to their roles."""

    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [*DjangoUserAdmin.inlines, UserMembershipInline]
