from django.apps import AppConfig


class DecisionConfig(AppConfig):
    name = "decision"
    verbose_name = "Decision content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import history, signals

        signals.connect()
        history.register()
