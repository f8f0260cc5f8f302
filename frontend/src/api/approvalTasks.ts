/**
 * Approval tasks: a run waiting at a `transform.approval` step until a named person or role approves
 * or rejects. The shapes follow flows/approvals_api.py (ApprovalTaskOut; GET /approval-tasks,
 * POST /approval-tasks/{id}/decide).
 */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { Page } from "./types";

export type ApprovalTaskState = "pending" | "approved" | "rejected" | "expired";

export interface ApprovalTask {
  id: string;
  run: string;
  flow: string;
  flow_name: string;
  /** The approval step's node id in the run's graph. */
  node: string;
  title: string;
  message: string;
  data: unknown;
  /** Who decides: a named person, or anyone holding a role. */
  assignee: string | null;
  role: string | null;
  state: ApprovalTaskState;
  /** When it expires (the step's `expires_in`): the run then takes the `expired` port. */
  expires_at: string;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  comment: string;
}

export type ApprovalDecision = "approve" | "reject";

export const approvalTasksApi = {
  /** Pending tasks the caller may decide; with `run`, that run's only. */
  pending: (run?: string, cursor?: string | null) =>
    api.get<Page<ApprovalTask>>(cursor ?? "/approval-tasks", cursor ? undefined : { query: { state: "pending", run } }),
  decide: (id: string, decision: ApprovalDecision, comment: string) =>
    api.post<ApprovalTask>(`/approval-tasks/${id}/decide`, { decision, ...(comment ? { comment } : {}) }),
};

/** Tasks waiting for a decision the person may make, oldest first as the server orders them. */
export function usePendingApprovalTasks({ run, enabled = true }: { run?: string; enabled?: boolean } = {}) {
  return useInfiniteQuery({
    queryKey: queryKeys.pendingApprovalTasks(run),
    queryFn: ({ pageParam }) => approvalTasksApi.pending(run, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
    enabled,
  });
}

/** A decision moves the run on: the tasks and the run are read again. */
export function useDecideApprovalTask() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ task, decision, comment }: { task: ApprovalTask; decision: ApprovalDecision; comment: string }) =>
      approvalTasksApi.decide(task.id, decision, comment),
    onSuccess: (_decided, { task }) => {
      void client.invalidateQueries({ queryKey: queryKeys.allApprovalTasks });
      void client.invalidateQueries({ queryKey: queryKeys.run(task.run) });
    },
  });
}
