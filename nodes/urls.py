from django.urls import path

from nodes import api

urlpatterns = [
    path("node-types", api.NodeTypesView.as_view()),
    path("logic/evaluate", api.LogicEvaluateView.as_view()),
    path("connection-kinds", api.ConnectionKindsView.as_view()),
    path("connections", api.ConnectionsView.as_view()),
    path("connections/<uuid:connection_id>", api.ConnectionView.as_view()),
    path("connections/<uuid:connection_id>/test", api.ConnectionTestView.as_view()),
    path("connections/<uuid:connection_id>/authorize", api.ConnectionAuthorizeView.as_view()),
    path("teams/<int:team_id>/policy", api.TeamPolicyView.as_view()),
    path("policies/dlp", api.DlpPolicyView.as_view()),
    path("tables", api.TablesView.as_view()),
    path("tables/<uuid:table_id>", api.TableView.as_view()),
    path("tables/<uuid:table_id>/rows", api.TableRowsView.as_view()),
    path("schemas", api.SchemasView.as_view()),
    path("connectors", api.ConnectorsView.as_view()),
    path("connectors/import", api.ConnectorImportView.as_view()),
    path("connectors/<int:connector_id>", api.ConnectorView.as_view()),
]
