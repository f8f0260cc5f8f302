from django.apps import AppConfig


class NodesConfig(AppConfig):
    name = "nodes"
    verbose_name = "Node types"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from nodes import registry
        from nodes.connectors.nodetypes import provider

        registry.load_all()
        # Imported connectors' operations are node types too, read from the database when asked for.
        registry.registry.add_provider(provider)
