from django.urls import path, register_converter

from paperless.views import alerts as alert_views
from paperless.views import audit, dashboard, devices, notes, uploads
from paperless.views.params import UnitCodeConverter

register_converter(UnitCodeConverter, "unitcode")
app_name = "paperless"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("units/<unitcode:code>/", dashboard.unit_page, name="unit"),
    path("units/<unitcode:code>/notes/new/", notes.note_create, name="note_create"),
    path("export/departments.csv", dashboard.export_departments, {"fmt": "csv"}, name="export_csv"),
    path(
        "export/departments.xlsx",
        dashboard.export_departments,
        {"fmt": "xlsx"},
        name="export_xlsx",
    ),
    path("report/meeting.xlsx", dashboard.meeting_report, name="meeting_report"),
    path("api/summary.json", dashboard.summary_json, name="summary_json"),
    path("audit/", audit.audit_log, name="audit"),
    path("devices/", devices.device_list, name="devices"),
    path("alerts/preview/", alert_views.preview, name="alert_preview"),
    path("alerts/deliveries/", alert_views.deliveries, name="alert_deliveries"),
    path("alerts/mine/", alert_views.mine, name="alert_mine"),
    path("uploads/", uploads.upload_list, name="upload_list"),
    path("uploads/new/", uploads.upload_new, name="upload_new"),
    path("uploads/template.xlsx", uploads.upload_template, name="upload_template"),
    path("uploads/<int:pk>/", uploads.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/confirm/", uploads.upload_confirm, name="upload_confirm"),
    path("uploads/<int:pk>/cancel/", uploads.upload_cancel, name="upload_cancel"),
    path("uploads/<int:pk>/download/", uploads.upload_download, name="upload_download"),
]
