from django.urls import path

from flows import api, approvals_api, health_api

urlpatterns = [
    path("flows", api.FlowsView.as_view()),
    path("flows/import", api.ImportView.as_view()),
    path("flows/validate", api.ValidateView.as_view()),
    path("templates", api.TemplatesView.as_view()),
    path("versions", api.VersionInboxView.as_view()),
    path("health/failures", health_api.FailuresView.as_view()),
    path("flows/<uuid:flow_id>", api.FlowView.as_view()),
    path("flows/<uuid:flow_id>/draft", api.DraftView.as_view()),
    path("flows/<uuid:flow_id>/pause", api.PauseView.as_view()),
    path("flows/<uuid:flow_id>/resume", api.ResumeView.as_view()),
    path("flows/<uuid:flow_id>/export", api.ExportView.as_view()),
    path("flows/<uuid:flow_id>/webhook-secret", api.WebhookSecretView.as_view()),
    path("flows/<uuid:flow_id>/test", api.TestRunView.as_view()),
    path("flows/<uuid:flow_id>/policy-check", api.PolicyCheckView.as_view()),
    path("flows/<uuid:flow_id>/runs", api.StartRunView.as_view()),
    path("flows/<uuid:flow_id>/versions", api.VersionsView.as_view()),
    path("flows/<uuid:flow_id>/versions/<int:number>", api.VersionView.as_view()),
    path("flows/<uuid:flow_id>/versions/<int:number>/diff", api.VersionDiffView.as_view()),
    path("flows/<uuid:flow_id>/versions/<int:number>/approve", api.ApproveView.as_view()),
    path("flows/<uuid:flow_id>/versions/<int:number>/reject", api.RejectView.as_view()),
    path("flows/<uuid:flow_id>/versions/<int:number>/rollback", api.RollbackView.as_view()),
    path("runs", api.RunsView.as_view()),
    path("runs/replay", health_api.BulkReplayView.as_view()),
    path("runs/<uuid:run_id>", api.RunView.as_view()),
    path("runs/<uuid:run_id>/replay", api.ReplayView.as_view()),
    path("runs/<uuid:run_id>/cancel", api.CancelView.as_view()),
    path("approval-tasks", approvals_api.ApprovalTasksView.as_view()),
    path("approval-tasks/<uuid:task_id>/decide", approvals_api.ApprovalTaskDecideView.as_view()),
]
