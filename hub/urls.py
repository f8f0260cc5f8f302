"""URL map: the REST API, its schema and docs, webhooks, health, sign-in, and the browser app."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from flows.approval_page import approval_page
from flows.metrics import metrics_view
from flows.webhooks import receive
from hub import events_api, frontend, health
from hub.api import AuditExportView, AuditView
from identity import views as sign_in
from nodes.views import oauth_callback

api_v1: list[URLPattern | URLResolver] = [
    path("", include("identity.urls")),
    path("", include("nodes.urls")),
    path("audit", AuditView.as_view()),
    path("audit/export", AuditExportView.as_view()),
    path("event-endpoints", events_api.EventEndpointsView.as_view()),
    path("event-endpoints/<uuid:endpoint_id>", events_api.EventEndpointView.as_view()),
    path("event-endpoints/<uuid:endpoint_id>/rotate-secret", events_api.EventEndpointSecretView.as_view()),
    path("event-endpoints/<uuid:endpoint_id>/deliveries", events_api.EventDeliveriesView.as_view()),
    path("event-endpoints/<uuid:endpoint_id>/test", events_api.EventEndpointTestView.as_view()),
    path("event-deliveries/<uuid:delivery_id>/replay", events_api.EventDeliveryReplayView.as_view()),
    path("", include("flows.urls")),
]

# OpenID Connect: `POST /login/oidc/` starts, the provider answers at `/complete/oidc/`. social-auth
# reverses these by the names in its namespace; its other routes (disconnect, launch) are not served.
oidc_sign_in = (
    [
        path("login/<str:backend>/", sign_in.oidc_begin, name="begin"),
        path("complete/<str:backend>/", sign_in.oidc_complete, name="complete"),
    ],
    "social",
)

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/asyncapi.yaml", events_api.asyncapi_document, name="asyncapi"),
    path("hooks/<str:key>", receive, name="webhook"),
    # The page an approval e-mail links to (flows.approval_page); a browser page, not the app's.
    path("approval/<str:token>", approval_page, name="approval-page"),
    # The OAuth2 provider sends the browser back here after a connection's authorization.
    path("connections/oauth/callback", oauth_callback, name="connection-oauth-callback"),
    path("healthz", health.healthz),
    path("readyz", health.readyz),
    path("metrics", metrics_view),
    path("login/", sign_in.SignInView.as_view(), name="login"),
    path("logout/", sign_in.sign_out, name="logout"),
    path("logout/provider/", sign_in.provider_sign_out, name="logout-provider"),
    path("", include(oidc_sign_in)),
    path("admin/", admin.site.urls),
    path("scim/v2/", include("identity.scim.urls")),
    # Every other path belongs to the browser app (its routes are part of the contract).
    re_path(r"^(?!api/|hooks/|static/|scim/).*$", frontend.index),
]

handler404 = "hub.problems.handler404"
handler500 = "hub.problems.handler500"
