/**
 * A team's approval rule, for admins beside the team's details: one approval (four eyes) or two
 * different people's before a version of the team's flows goes live. A Switchboard setting, so it is
 * editable on a team SCIM manages too.
 */
import { useId } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { queryKeys } from "../../api/queryKeys";
import type { TeamDetail } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import "./approvals.css";

const CHOICES = [
  { value: 1, label: "One approval", hint: "an approver or admin other than the author (four eyes)" },
  { value: 2, label: "Two approvals", hint: "by two different people, neither the author" },
] as const;

function useSetRequiredApprovals(teamId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (required: number) => api.patch<TeamDetail>(`/teams/${teamId}`, { required_approvals: required }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.allTeams }),
  });
}

export function TeamApprovalRule({ team }: { team: TeamDetail }) {
  const titleId = useId();
  const save = useSetRequiredApprovals(team.id);
  const current = save.isPending ? save.variables : (team.required_approvals ?? 1);
  return (
    <section className="panel-section" aria-labelledby={titleId}>
      <h3 id={titleId}>Approvals before going live {save.isPending && <Spinner small />}</h3>
      <fieldset className="approval-rule" aria-label={`Approvals ${team.name} needs`}>
        {CHOICES.map((choice) => (
          <label key={choice.value} className="radio-row">
            <input
              type="radio"
              name={`required-approvals-${team.id}`}
              value={choice.value}
              checked={current === choice.value}
              disabled={save.isPending}
              onChange={() =>
                save.mutate(choice.value, {
                  onSuccess: () => showToast(`${team.name}: ${choice.label.toLowerCase()} from now on`, "success"),
                })
              }
            />{" "}
            {choice.label} <span className="muted small">— {choice.hint}</span>
          </label>
        ))}
      </fieldset>
      <p className="muted small">
        Versions submitted from now on follow it; one already waiting keeps the rule it was submitted under. Where fewer people could decide
        than the rule asks, the ones there are suffice, and the approval is marked so.
      </p>
      {save.error && <ProblemMessage error={save.error} title="The rule could not be changed." />}
    </section>
  );
}
