from django.apps import AppConfig


class PaperlessConfig(AppConfig):
    name = "paperless"
    verbose_name = "ペーパーレス取組状況"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the deployment checks; connects the data version's signals.
        from paperless import checks, signals, third_party_labels  # noqa: F401

        signals.connect()
        third_party_labels.apply()
