"""The default weekly alert schedule: Monday 08:30 Asia/Tokyo.

Administrators change the day and time in the admin (定期タスク); celery beat reads
it from the database (DatabaseScheduler), so no deploy is needed.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "週次アラート"
TASK = "paperless.tasks.send_weekly_alerts"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="8",
        day_of_week="1",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Tokyo",
    )
    PeriodicTask.objects.create(
        name=TASK_NAME,
        task=TASK,
        crontab=schedule,
        enabled=True,
        description=(
            "未達の所属・未報告の所属・区長・局長・CDXOへの週次メール。"
            "同じ週に同じ宛先・種類のメールは一度だけ送ります。"
        ),
    )
    # Tell a running beat that the schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME, task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("paperless", "0002_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
