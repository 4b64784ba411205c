"""Japanese names for the admin sections of django-axes and django-celery-beat.

Neither package ships a Japanese translation, so their app and model names would show
in English (AXES, Access attempts, PERIODIC TASKS, Crontabs, …) on an otherwise
Japanese admin. The names are set once when the apps are ready.
"""

from __future__ import annotations

from django.apps import apps

APP_NAMES = {"axes": "ログイン試行の記録", "django_celery_beat": "定期タスク"}

MODEL_NAMES = {
    ("axes", "accessattempt"): "ログイン失敗（ロック判定）",
    ("axes", "accesslog"): "ログイン記録",
    ("axes", "accessfailurelog"): "ログイン失敗の記録",
    ("django_celery_beat", "periodictask"): "定期タスク",
    ("django_celery_beat", "intervalschedule"): "間隔スケジュール",
    ("django_celery_beat", "crontabschedule"): "曜日・時刻スケジュール（crontab）",
    ("django_celery_beat", "solarschedule"): "日の出・日の入りスケジュール",
    ("django_celery_beat", "clockedschedule"): "日時指定スケジュール",
}


def apply() -> None:
    """Rename the installed apps' admin sections and models in Japanese."""
    for label, name in APP_NAMES.items():
        if apps.is_installed(label) or label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    for (label, model_name), name in MODEL_NAMES.items():
        try:
            model = apps.get_model(label, model_name)
        except LookupError:
            continue
        model._meta.verbose_name = name
        model._meta.verbose_name_plural = name
