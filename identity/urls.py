"""The identity REST API under /api/v1/: who is signed in, people, teams, tokens, service accounts."""

from django.urls import URLPattern, path

from identity import api

urlpatterns: list[URLPattern] = [
    path("me", api.MeView.as_view()),
    path("people", api.PeopleView.as_view()),
    path("people/<int:user_id>", api.PersonView.as_view()),
    path("people/<int:user_id>/deactivate", api.PersonDeactivateView.as_view()),
    path("people/<int:user_id>/reactivate", api.PersonReactivateView.as_view()),
    path("teams", api.TeamsView.as_view()),
    path("teams/<int:team_id>", api.TeamView.as_view()),
    path("teams/<int:team_id>/members", api.TeamMembersView.as_view()),
    path("teams/<int:team_id>/members/<int:user_id>", api.TeamMemberView.as_view()),
    path("tokens", api.TokensView.as_view()),
    path("tokens/<int:token_id>", api.TokenView.as_view()),
    path("service-accounts", api.ServiceAccountsView.as_view()),
    path("service-accounts/<int:user_id>", api.ServiceAccountView.as_view()),
]
