from django.apps import AppConfig


class NodesConfig(AppConfig):
    name = "nodes"
    verbose_name = "Node types"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from nodes import registry

        registry.load_all()
