"""The Celery application. The broker comes from CELERY_BROKER_URL (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakai_dx.settings")

app = Celery("sakai_dx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["paperless.alerts", "paperless.importing"])
