"""The approval tasks of runs (`transform.approval`) over REST: the inbox of tasks the caller may
decide, and deciding one. The decision itself is `flows.approvals.approval_decide`.

Scopes: `runs:read` for both. Who may decide a task is the task's own rule (its assignee, or the role
it names for the flow's team; admins always), checked on every decision — as for the signed e-mail
link, which needs no scope at all. `runs:write` would shut out approvers and viewers named as
assignees, who hold `runs:read` but not `runs:write`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from flows.approvals import approval_decide, approval_tasks_for
from flows.models import ApprovalState, ApprovalTask
from hub.pagination import paginate
from hub.problems import ErrorItem, ValidationProblem
from hub.request_body import validated_body
from identity.permissions import request_token
from identity.selectors import request_is_admin


class ApprovalTaskOut(serializers.ModelSerializer[ApprovalTask]):
    flow_name = serializers.CharField(source="flow.name")
    data = serializers.JSONField(help_text="What the flow shows the person deciding.")  # type: ignore[assignment]
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    role = serializers.SerializerMethodField()
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = ApprovalTask
        fields = [
            "id",
            "run",
            "flow",
            "flow_name",
            "node",
            "title",
            "message",
            "data",
            "assignee",
            "role",
            "state",
            "expires_at",
            "created_at",
            "decided_by",
            "decided_at",
            "comment",
        ]

    def get_role(self, task: ApprovalTask) -> str | None:
        return task.role or None


class DecideIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ApprovalTasksView(APIView):
    required_scopes = {"GET": "runs:read"}

    @extend_schema(
        operation_id="approval_tasks_list",
        parameters=[
            OpenApiParameter("state", str, enum=list(ApprovalState.values)),
            OpenApiParameter("run", str, description="Only this run's tasks (a run id)."),
        ],
        responses=ApprovalTaskOut(many=True),
    )
    def get(self, request: Request) -> Response:
        state = request.query_params.get("state")
        if state and state not in ApprovalState.values:
            raise ValidationProblem(
                [ErrorItem(field="state", message=f"`state` is one of {', '.join(ApprovalState.values)}.")]
            )
        tasks = approval_tasks_for(user=request.user, token=request_token(request), state=state)
        if run := request.query_params.get("run"):
            try:
                serializers.UUIDField().to_internal_value(run)
            except serializers.ValidationError:
                raise ValidationProblem(
                    [ErrorItem(field="run", message="`run` is a run id (a UUID).")]
                ) from None
            tasks = tasks.filter(run_id=run)
        return paginate(self, tasks, ApprovalTaskOut)


class ApprovalTaskDecideView(APIView):
    required_scopes = {"POST": "runs:read"}

    @extend_schema(operation_id="approval_tasks_decide", request=DecideIn, responses=ApprovalTaskOut)
    def post(self, request: Request, task_id: Any) -> Response:
        body = validated_body(DecideIn, request)
        task = approval_decide(
            task_id=task_id,
            user=request.user,
            decision=body["decision"],
            comment=body["comment"],
            admin=request_is_admin(request.user, request_token(request)),
        )
        fresh = ApprovalTask.objects.select_related("flow", "assignee", "decided_by").get(pk=task.pk)
        return Response(ApprovalTaskOut(fresh).data)
