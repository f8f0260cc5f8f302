/**
 * Live run updates over the Channels websocket `/ws/runs/{run_id}/`: the full run on connect, then
 * every step change and every run status change, pushed by the server (never polled).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { queryKeys } from "./queryKeys";
import type { Run, RunStatus, Step } from "./types";

export type RunSocketMessage = { type: "run"; run: Run } | { type: "step"; run_id: string; step: Step };

export type RunSocketState = "idle" | "connecting" | "open" | "closed";

export const FINISHED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>(["succeeded", "failed", "cancelled"]);

export function isRunFinished(run: Pick<Run, "status"> | null | undefined): boolean {
  return Boolean(run?.status && FINISHED_RUN_STATUSES.has(run.status));
}

/** The run after one websocket message: a run message replaces it, a step message replaces that node's step. */
export function applyRunMessage(run: Run | null, message: RunSocketMessage): Run | null {
  if (message.type === "run") return message.run;
  if (!run || message.run_id !== run.id) return run;
  const steps = run.steps.some((step) => step.node === message.step.node)
    ? run.steps.map((step) => (step.node === message.step.node ? message.step : step))
    : [...run.steps, message.step];
  return { ...run, steps };
}

export function runSocketUrl(runId: string, location: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/runs/${runId}/`;
}

/**
 * Follows run `runId` live. `run` starts from the React Query cache (if the run was just created
 * there) and is kept in the cache too, so every view of the run sees the same data. Reconnects
 * (with back-off) while the run is not finished; the first message after a reconnect is the full run.
 */
export function useRunSocket(runId: string | null | undefined): { run: Run | null; state: RunSocketState } {
  const client = useQueryClient();
  const [run, setRun] = useState<Run | null>(() => (runId ? (client.getQueryData<Run>(queryKeys.run(runId)) ?? null) : null));
  const [state, setState] = useState<RunSocketState>("idle");

  useEffect(() => {
    if (!runId) {
      setRun(null);
      setState("idle");
      return;
    }
    let latest: Run | null = client.getQueryData<Run>(queryKeys.run(runId)) ?? null;
    setRun(latest);
    let socket: WebSocket | null = null;
    let stopped = false;
    let finished = false;
    let retries = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const connect = () => {
      setState("connecting");
      const current = new WebSocket(runSocketUrl(runId));
      socket = current;
      current.onopen = () => {
        if (stopped) current.close();
        else {
          retries = 0;
          setState("open");
        }
      };
      current.onmessage = (event: MessageEvent<string>) => {
        let message: RunSocketMessage;
        try {
          message = JSON.parse(event.data) as RunSocketMessage;
        } catch {
          return;
        }
        if (message.type !== "run" && message.type !== "step") return;
        latest = applyRunMessage(latest, message);
        setRun(latest);
        if (latest) {
          client.setQueryData(queryKeys.run(runId), latest);
          if (!finished && isRunFinished(latest)) void client.invalidateQueries({ queryKey: queryKeys.allRunLists });
          finished = isRunFinished(latest);
        }
      };
      current.onclose = () => {
        if (stopped) return;
        setState("closed");
        if (!finished && retries < 8) {
          retries += 1;
          retryTimer = setTimeout(connect, Math.min(10_000, 500 * 2 ** retries));
        }
      };
    };
    connect();

    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      // Closing a socket that is still connecting makes browsers log an error; close it once open.
      if (socket && socket.readyState === WebSocket.OPEN) socket.close();
    };
  }, [runId, client]);

  return { run, state };
}
