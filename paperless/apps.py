from django.apps import AppConfig


class PaperlessConfig(AppConfig):
    name = "paperless"
    verbose_name = "ペーパーレス取組状況"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paperless import (
            checks,  # noqa: F401 - registers the deployment checks
            third_party_labels,
        )

        third_party_labels.apply()
