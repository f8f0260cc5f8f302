"""The identity REST API: who is signed in, people, teams, API tokens and service accounts.

One view per operation with its serializers beside it; reads go through `identity.selectors`, writes
through `identity.services` (which hold the rules and write the audit log).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.pagination import paginate
from hub.problems import ErrorItem, ValidationProblem
from hub.request_body import validated_body
from identity import selectors, services
from identity.models import ApiToken, Membership, Role, Scope, Team, User
from identity.permissions import SIGNED_IN, request_token

ADMIN = Scope.ADMIN.value
MAX_ID = selectors.MAX_ID


_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _bool_param(
    request: Request, name: str, *, default: bool | None = None, allow_any: bool = False
) -> bool | None:
    """`true`/`false` (and, where a default filters, `any` for no filter); 400 naming it otherwise."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = raw.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if allow_any and value in {"any", "all"}:
        return None
    accepted = "`true`, `false` or `any`" if allow_any else "`true` or `false`"
    raise ValidationProblem([ErrorItem(field=name, message=f"`{name}` is {accepted}.")])


def _bool_param_doc(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, enum=["true", "false"], description=description)


class _NoPrivilegeFields:
    """Refuses, naming it, a flag that the API never sets (rather than ignoring it silently)."""

    initial_data: Any

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.initial_data, dict):
            for name in ("is_superuser", "is_staff"):
                if name in self.initial_data:
                    raise serializers.ValidationError(
                        {name: "Never set through the API (`manage.py createsuperuser` makes a superuser)."}
                    )
        return attrs


def _username_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
    )


def _roles_field(help_text: str) -> serializers.ListField:
    # Plain strings, checked by the service, so that a wrong one is reported as `roles`, not `roles.0`.
    return serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=help_text + " viewer, builder, approver, admin.",
    )


RoleList = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


# --- /me ------------------------------------------------------------------------------------------


class MeTeam(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    display_name = serializers.CharField(allow_blank=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), help_text="The roles the person holds."
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices),
        help_text="What this request may do: the person's roles' scopes, narrowed by its token's.",
    )
    is_admin = serializers.BooleanField(
        help_text="Whether this request may act as an admin (`admin` in scopes)."
    )
    teams = serializers.ListField(child=serializers.CharField(), help_text="Team names.")
    teams_detail = MeTeam(many=True)


class MeView(APIView):
    required_scopes = {"GET": SIGNED_IN}

    @extend_schema(operation_id="me", responses=MeOut)
    def get(self, request: Request) -> Response:
        user: Any = request.user
        scopes = selectors.request_scopes(user, request_token(request))
        teams = list(selectors.user_teams(user).values("id", "name"))
        return Response(
            MeOut(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "email": user.email,
                    "display_name": user.display_name,
                    "roles": selectors.user_roles(user),
                    "scopes": scopes,
                    "is_admin": ADMIN in scopes,
                    "teams": [t["name"] for t in teams],
                    "teams_detail": teams,
                }
            ).data
        )


# --- people ---------------------------------------------------------------------------------------


class PersonTeam(serializers.ModelSerializer[Membership]):
    """A team a person belongs to, and how they joined it: `local` (an admin), `scim` or `oidc`."""

    id = serializers.IntegerField(source="team.id")
    name = serializers.CharField(source="team.name")

    class Meta:
        model = Membership
        fields = ["id", "name", "source"]


class PersonOut(serializers.ModelSerializer[User]):
    active = serializers.BooleanField(source="is_active")
    roles = serializers.SerializerMethodField(help_text="Effective roles: direct and through teams.")
    direct_roles = serializers.SerializerMethodField(help_text="Roles given to the person directly.")
    teams = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "display_name",
            "active",
            "roles",
            "direct_roles",
            "teams",
            "scim_managed",
            "is_service_account",
            "last_login",
            "date_joined",
            "deactivated_at",
        ]

    @extend_schema_field(RoleList)
    def get_roles(self, person: User) -> list[str]:
        return selectors.person_roles(person)

    def get_direct_roles(self, person: User) -> list[str]:
        return selectors.person_direct_roles(person)

    @extend_schema_field(PersonTeam(many=True))
    def get_teams(self, person: User) -> list[dict[str, Any]]:
        return list(PersonTeam(selectors.person_memberships(person), many=True).data)


class PersonCreate(_NoPrivilegeFields, serializers.Serializer[Any]):
    username = _username_field()
    email = serializers.EmailField(max_length=254)
    display_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        max_length=128,
        help_text="For local sign-in; without one the person signs in through OIDC only.",
    )
    roles = _roles_field("Direct roles to give:")


class PersonUpdate(_NoPrivilegeFields, serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False)
    roles = _roles_field("The person's direct roles, all of them (this replaces the set):")


def _person_response(person_id: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(PersonOut(selectors.person_get(person_id)).data, status=code)


class PeopleView(APIView):
    required_scopes = {"GET": ADMIN, "POST": ADMIN}

    @extend_schema(
        operation_id="people_list",
        parameters=[
            OpenApiParameter("q", str, description="Part of the username, e-mail or display name."),
            _bool_param_doc("active", "Only people who may (true) or may not (false) sign in."),
            _bool_param_doc("service_account", "Only service accounts (true) or only people (false)."),
        ],
        responses=PersonOut(many=True),
    )
    def get(self, request: Request) -> Response:
        q = request.query_params.get("q") or None
        if q is not None and "\x00" in q:
            raise ValidationProblem([ErrorItem(field="q", message="`q` cannot contain NUL characters.")])
        people = selectors.person_list(
            q=q,
            active=_bool_param(request, "active"),
            service_account=_bool_param(request, "service_account"),
        )
        return paginate(self, people, PersonOut, ordering=("username",))

    @extend_schema(operation_id="people_create", request=PersonCreate, responses={201: PersonOut})
    def post(self, request: Request) -> Response:
        data = validated_body(PersonCreate, request)
        person = services.person_create(
            username=data["username"],
            email=data["email"],
            display_name=data["display_name"],
            password=data.get("password"),
            roles=data.get("roles", []),
            actor=request.user,
        )
        return _person_response(person.pk, status.HTTP_201_CREATED)


class PersonView(APIView):
    required_scopes = {"GET": ADMIN, "PATCH": ADMIN}

    @extend_schema(operation_id="people_read", responses=PersonOut)
    def get(self, request: Request, user_id: int) -> Response:
        return _person_response(user_id)

    @extend_schema(operation_id="people_update", request=PersonUpdate, responses=PersonOut)
    def patch(self, request: Request, user_id: int) -> Response:
        data = validated_body(PersonUpdate, request)
        services.person_update(
            person=selectors.person_get(user_id),
            actor=request.user,
            display_name=data.get("display_name"),
            email=data.get("email"),
            roles=data.get("roles"),
        )
        return _person_response(user_id)


class PersonDeactivateView(APIView):
    required_scopes = {"POST": ADMIN}

    @extend_schema(operation_id="people_deactivate", request=None, responses=PersonOut)
    def post(self, request: Request, user_id: int) -> Response:
        services.person_deactivate(person=selectors.person_get(user_id), actor=request.user)
        return _person_response(user_id)


class PersonReactivateView(APIView):
    required_scopes = {"POST": ADMIN}

    @extend_schema(operation_id="people_reactivate", request=None, responses=PersonOut)
    def post(self, request: Request, user_id: int) -> Response:
        services.person_reactivate(person=selectors.person_get(user_id), actor=request.user)
        return _person_response(user_id)


# --- service accounts -----------------------------------------------------------------------------


class ServiceAccountOut(PersonOut):
    active_tokens = serializers.IntegerField(
        source="active_token_count", help_text="Tokens not revoked and not expired."
    )

    class Meta(PersonOut.Meta):
        fields = [*PersonOut.Meta.fields, "active_tokens"]


class ServiceAccountCreate(_NoPrivilegeFields, serializers.Serializer[Any]):
    username = _username_field()
    display_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    roles = _roles_field("What its tokens may do at most:")


class ServiceAccountsView(APIView):
    required_scopes = {"GET": ADMIN, "POST": ADMIN}

    @extend_schema(
        operation_id="service_accounts_list",
        parameters=[
            OpenApiParameter(
                "active",
                str,
                enum=["true", "false", "any"],
                description="Active ones (the default), deleted (deactivated) ones, or any.",
            )
        ],
        responses=ServiceAccountOut(many=True),
    )
    def get(self, request: Request) -> Response:
        active = _bool_param(request, "active", default=True, allow_any=True)
        return paginate(
            self, selectors.service_account_list(active=active), ServiceAccountOut, ordering=("username",)
        )

    @extend_schema(
        operation_id="service_accounts_create",
        request=ServiceAccountCreate,
        responses={201: ServiceAccountOut},
    )
    def post(self, request: Request) -> Response:
        data = validated_body(ServiceAccountCreate, request)
        account = services.service_account_create(
            username=data["username"],
            display_name=data["display_name"],
            roles=data.get("roles", []),
            actor=request.user,
        )
        return Response(
            ServiceAccountOut(selectors.service_account_get(account.pk)).data, status=status.HTTP_201_CREATED
        )


class ServiceAccountView(APIView):
    required_scopes = {"GET": ADMIN, "DELETE": ADMIN}

    @extend_schema(operation_id="service_accounts_read", responses=ServiceAccountOut)
    def get(self, request: Request, user_id: int) -> Response:
        return Response(ServiceAccountOut(selectors.service_account_get(user_id)).data)

    @extend_schema(operation_id="service_accounts_delete", responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        services.service_account_delete(account=selectors.service_account_get(user_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- teams ----------------------------------------------------------------------------------------


class TeamOut(serializers.ModelSerializer[Team]):
    member_count = serializers.IntegerField()
    roles = serializers.SerializerMethodField(help_text="Roles this team gives its members (ROLE_GROUPS).")
    is_default = serializers.SerializerMethodField(help_text="The team that holds flows nobody else does.")

    class Meta:
        model = Team
        fields = ["id", "name", "scim_managed", "member_count", "roles", "is_default", "required_approvals"]
        extra_kwargs = {
            "required_approvals": {
                "help_text": "How many different people (never the author) approve a version of the "
                "team's flows before it goes live: 1 or 2."
            }
        }

    @extend_schema_field(RoleList)
    def get_roles(self, team: Team) -> list[str]:
        return selectors.team_roles(team)

    def get_is_default(self, team: Team) -> bool:
        return selectors.team_is_default(team)


class TeamMember(serializers.ModelSerializer[Membership]):
    id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")

    class Meta:
        model = Membership
        fields = ["id", "username", "display_name", "source"]


class TeamDetailOut(TeamOut):
    members = serializers.SerializerMethodField()

    class Meta(TeamOut.Meta):
        fields = [*TeamOut.Meta.fields, "members"]

    @extend_schema_field(TeamMember(many=True))
    def get_members(self, team: Team) -> list[dict[str, Any]]:
        return list(TeamMember(selectors.team_members(team), many=True).data)


class TeamIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=150)


class TeamChange(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=150, required=False)
    required_approvals = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2,
        help_text="How many different people approve a version before it goes live: 1 or 2.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError({"name": "Give `name`, `required_approvals`, or both."})
        return attrs


class MemberIn(serializers.Serializer[Any]):
    user = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The person's id.")


def _team_response(request: Request, team_id: Any, code: int = status.HTTP_200_OK) -> Response:
    team = selectors.team_visible_get(team_id, user=request.user, token=request_token(request))
    return Response(TeamDetailOut(team).data, status=code)


class TeamsView(APIView):
    required_scopes = {"GET": SIGNED_IN, "POST": ADMIN}

    @extend_schema(operation_id="teams_list", responses=TeamOut(many=True))
    def get(self, request: Request) -> Response:
        teams = selectors.team_list(user=request.user, token=request_token(request))
        return paginate(self, teams, TeamOut, ordering=("name",))

    @extend_schema(operation_id="teams_create", request=TeamIn, responses={201: TeamDetailOut})
    def post(self, request: Request) -> Response:
        team = services.team_create(name=validated_body(TeamIn, request)["name"], actor=request.user)
        return _team_response(request, team.pk, status.HTTP_201_CREATED)


class TeamView(APIView):
    required_scopes = {"GET": SIGNED_IN, "PATCH": ADMIN, "DELETE": ADMIN}

    @extend_schema(operation_id="teams_read", responses=TeamDetailOut)
    def get(self, request: Request, team_id: int) -> Response:
        return _team_response(request, team_id)

    @extend_schema(
        operation_id="teams_rename",
        request=TeamChange,
        responses=TeamDetailOut,
        description="Rename a team and/or set how many approvals its flows' versions need.",
    )
    def patch(self, request: Request, team_id: int) -> Response:
        team = selectors.team_get_or_404(team_id)
        data = validated_body(TeamChange, request)
        with transaction.atomic():
            if "name" in data:
                services.team_rename(team=team, name=data["name"], actor=request.user)
            if "required_approvals" in data:
                services.team_required_approvals_set(
                    team=team, required_approvals=data["required_approvals"], actor=request.user
                )
        return _team_response(request, team_id)

    @extend_schema(operation_id="teams_delete", responses={204: None})
    def delete(self, request: Request, team_id: int) -> Response:
        services.team_delete_by_admin(team=selectors.team_get_or_404(team_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamMembersView(APIView):
    required_scopes = {"POST": ADMIN}

    @extend_schema(
        operation_id="teams_members_add", request=MemberIn, responses={200: TeamDetailOut, 201: TeamDetailOut}
    )
    def post(self, request: Request, team_id: int) -> Response:
        team = selectors.team_get_or_404(team_id)
        user_id = validated_body(MemberIn, request)["user"]
        person = selectors.person_get_or_none(user_id)
        if person is None:
            raise ValidationProblem([ErrorItem(field="user", message=f"No person has the id {user_id}.")])
        added = services.team_member_add(team=team, user=person, actor=request.user)
        return _team_response(request, team_id, status.HTTP_201_CREATED if added else status.HTTP_200_OK)


class TeamMemberView(APIView):
    required_scopes = {"DELETE": ADMIN}

    @extend_schema(operation_id="teams_members_remove", responses={204: None})
    def delete(self, request: Request, team_id: int, user_id: int) -> Response:
        team = selectors.team_get_or_404(team_id)
        services.team_member_remove(
            team=team, user=selectors.team_member_get(team, user_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- tokens ---------------------------------------------------------------------------------------


class TokenOwner(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_service_account = serializers.BooleanField()


class TokenOut(serializers.ModelSerializer[ApiToken]):
    owner = TokenOwner(source="user")
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, help_text="Who made it (username)."
    )
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    active = serializers.SerializerMethodField(help_text="Not revoked, not expired, and its owner active.")

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "owner",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "active",
        ]

    def get_active(self, token: ApiToken) -> bool:
        return selectors.token_is_active(token)


class TokenCreated(TokenOut):
    token = serializers.SerializerMethodField(
        help_text="The bearer token itself: shown this once, never again."
    )

    class Meta(TokenOut.Meta):
        fields = [*TokenOut.Meta.fields, "token"]

    def get_token(self, token: ApiToken) -> str:
        return str(self.context["plain"])


class TokenCreate(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, help_text="What it is for, to recognise it later.")
    scopes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="What it may do; each must be given by its owner's roles. Default: all they give. "
        "flows:read, flows:write, runs:read, runs:write, versions:approve, admin.",
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="In the future; none: never."
    )
    owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="A service account's id (admins only); default: yourself.",
    )


class TokensView(APIView):
    required_scopes = {"GET": SIGNED_IN, "POST": SIGNED_IN}

    @extend_schema(
        operation_id="tokens_list",
        parameters=[
            OpenApiParameter("owner", int, description="An owner's id (admins, unless it is your own)."),
            _bool_param_doc("all", "Everyone's tokens, service accounts' and SCIM tokens included (admins)."),
            _bool_param_doc(
                "active", "Only tokens that still sign in (true), or only those that do not (false)."
            ),
        ],
        responses=TokenOut(many=True),
    )
    def get(self, request: Request) -> Response:
        tokens = selectors.tokens_visible(
            user=request.user,
            token=request_token(request),
            owner_id=request.query_params.get("owner") or None,
            everyone=bool(_bool_param(request, "all")),
            active=_bool_param(request, "active"),
        )
        return paginate(self, tokens, TokenOut)

    @extend_schema(operation_id="tokens_create", request=TokenCreate, responses={201: TokenCreated})
    def post(self, request: Request) -> Response:
        data = validated_body(TokenCreate, request)
        owner: Any = request.user
        if data.get("owner") is not None:
            owner = selectors.person_get_or_none(data["owner"])
            if owner is None:
                missing = f"No service account has the id {data['owner']}."
                raise ValidationProblem([ErrorItem(field="owner", message=missing)])
        row, plain = services.apitoken_create_for_request(
            actor=request.user,
            actor_token=request_token(request),
            owner=owner,
            name=data["name"],
            scopes=data.get("scopes"),
            expires_at=data.get("expires_at"),
        )
        created = TokenCreated(selectors.token_get(row.pk), context={"plain": plain})
        return Response(created.data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    required_scopes = {"DELETE": SIGNED_IN}

    @extend_schema(operation_id="tokens_revoke", responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        services.apitoken_revoke_for_request(
            token=selectors.token_get(token_id), actor=request.user, actor_token=request_token(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
