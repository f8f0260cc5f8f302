"""The `/scim/v2/` routes. The names are django-scim2's (`scim:users`, …), which its adapters reverse."""

from django.urls import URLPattern, re_path

from identity.scim import views

app_name = "scim"

_ID = r"(?:/(?P<uuid>[^/]+))?"

urlpatterns: list[URLPattern] = [
    re_path(r"^$", views.NotFoundView.as_view(), name="root"),
    re_path(r"^\.search$", views.SearchView.as_view(), name="search"),
    re_path(r"^Users/\.search$", views.SearchView.as_view(listings=[views.USERS]), name="users-search"),
    re_path(rf"^Users{_ID}$", views.UsersView.as_view(), name="users"),
    re_path(r"^Groups/\.search$", views.SearchView.as_view(listings=[views.GROUPS]), name="groups-search"),
    re_path(rf"^Groups{_ID}$", views.GroupsView.as_view(), name="groups"),
    re_path(
        r"^ServiceProviderConfig$", views.ServiceProviderConfigView.as_view(), name="service-provider-config"
    ),
    re_path(rf"^ResourceTypes{_ID}$", views.ResourceTypesView.as_view(), name="resource-types"),
    re_path(rf"^Schemas{_ID}$", views.SchemasView.as_view(), name="schemas"),
    # Optional parts of SCIM that Switchboard does not offer (the configuration says so): 501.
    re_path(r"^Me$", views.ScimView.as_view(implemented=False), name="me"),
    re_path(r"^Bulk$", views.ScimView.as_view(implemented=False), name="bulk"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
