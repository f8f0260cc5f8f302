"""The flows app; on start it joins identity's deprovisioning, which may not import flows."""

from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "Flows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from flows import selectors, services
        from identity.services import DEACTIVATION_HOOKS, TEAM_DELETION_HOOKS
        from nodes.services import CONNECTOR_USAGE_HOOKS

        # A deactivated person's flows stay with their teams; a deleted team's go to the default one.
        if services.flows_keep_with_teams not in DEACTIVATION_HOOKS:
            DEACTIVATION_HOOKS.append(services.flows_keep_with_teams)
        if services.flows_move_to_default_team not in TEAM_DELETION_HOOKS:
            TEAM_DELETION_HOOKS.append(services.flows_move_to_default_team)
        # An imported connector is not deleted while a flow still uses its operations.
        if selectors.flows_using_node_types not in CONNECTOR_USAGE_HOOKS:
            CONNECTOR_USAGE_HOOKS.append(selectors.flows_using_node_types)
