"""The Django admin in Japanese: org master, counts, policy; uploads and deliveries read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionNote, AlertDelivery, Membership, MonthlyCount, Policy, Unit, Upload

admin.site.site_header = "堺市 ペーパーレス取組状況 管理"
admin.site.site_title = "ペーパーレス管理"
admin.site.index_title = "管理メニュー"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "parent", "active", "sort_order"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "predecessors"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit"]
    search_fields = ["user__username", "unit__code", "unit__name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(MonthlyCount)
class MonthlyCountAdmin(SimpleHistoryAdmin):
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
class PolicyAdmin(SimpleHistoryAdmin):
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
class ActionNoteAdmin(SimpleHistoryAdmin):
    list_display = ["department", "noted_on", "target_month", "author"]
    search_fields = ["department__name", "text"]
    autocomplete_fields = ["department"]
    list_select_related = ["department", "author"]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ["week", "kind", "recipient", "status", "attempts", "sent_at", "subject"]
    list_filter = ["status", "kind", "week"]
    search_fields = ["recipient", "subject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
