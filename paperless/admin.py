"""The Django admin in Japanese: org master, counts, policy; uploads and deliveries read-only
(a delivery left 送信中 can only be resolved, as arrived or not).

Only administrators (the 管理者 group) enter it, and the change history it shows is
evidence: it can be read, never reverted or edited.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from paperless.access import permissions
from paperless.alerts import delivery
from paperless.models import (
    ActionNote,
    AlertDelivery,
    Membership,
    MonthlyCount,
    Policy,
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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "name", "kind", "parent", "active", "sort_order"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "predecessors"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "unit"]
    search_fields = ["user__username", "unit__code", "unit__name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(MonthlyCount)
class MonthlyCountAdmin(ReadOnlyHistoryAdmin):
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
    autocomplete_fields = ["department"]
    raw_id_fields = ["upload"]
    list_select_related = ["department", "upload"]
    date_hierarchy = "month"


@admin.register(Policy)
class PolicyAdmin(ReadOnlyHistoryAdmin):
    list_display = ["fiscal_year", "base_fiscal_year", "threshold", "city_goal", "status_basis"]


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "uploaded_at", "scope", "source", "status"]
    list_filter = ["status", "source"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["uploaded_by", "scope"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ActionNote)
class ActionNoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ["department", "noted_on", "target_month", "author"]
    search_fields = ["department__name", "text"]
    autocomplete_fields = ["department"]
    list_select_related = ["department", "author"]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class UserMembershipInline(admin.TabularInline):
    """The user's units (担当所属), assigned on the user's own page next to their roles."""

    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [*DjangoUserAdmin.inlines, UserMembershipInline]
