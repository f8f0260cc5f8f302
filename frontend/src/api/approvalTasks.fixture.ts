/** Test fixture: an approval task as GET /api/v1/approval-tasks lists it. */
import type { ApprovalTask } from "./approvalTasks";

export function approvalTask(overrides: Partial<ApprovalTask> = {}): ApprovalTask {
  return {
    id: "a1a1a1a1-2222-4333-8444-555555555555",
    run: "5e00a462-0fe1-42b9-9e01-1e64b0d9fc60",
    flow: "ef8fc7ef-2c61-46a6-ac6f-43d8526c1924",
    flow_name: "Refunds",
    node: "manager_ok",
    title: "Refund over 500 €",
    message: "Order 1234 asks for a refund of 750 €.",
    data: { order: 1234, amount: 750 },
    assignee: null,
    role: "approver",
    state: "pending",
    expires_at: "2024-05-04T10:00:00Z",
    created_at: "2024-05-01T10:00:00Z",
    decided_by: null,
    decided_at: null,
    comment: "",
    ...overrides,
  };
}
