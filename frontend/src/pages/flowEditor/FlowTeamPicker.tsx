/**
 * The team a flow belongs to — its members see the flow — in the editor's side panel: a builder
 * moves the flow to another team (or picks the team of a new one); others only read it.
 */
import { useId } from "react";
import { errorMessage } from "../../api/client";
import { useMoveFlow } from "../../api/flows";
import { useTeamChoices } from "../../api/teams";
import type { Flow } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";

export function FlowTeamPicker({ flow, readOnly }: { flow: Flow; readOnly: boolean }) {
  const selectId = useId();
  const teams = useTeamChoices(!readOnly);
  const move = useMoveFlow(flow.id);
  const current = flow.team ?? null;
  if (readOnly || !teams.data) return <>{current ? current.name : <span className="muted">None</span>}</>;
  // The flow's team is offered even when the person is not in it (an admin put it there).
  const choices = current && !teams.data.some((team) => team.id === current.id) ? [current, ...teams.data] : teams.data;
  return (
    <span className="flow-team-picker">
      <label htmlFor={selectId} className="visually-hidden">
        Team
      </label>
      <select
        id={selectId}
        value={current ? String(current.id) : ""}
        disabled={move.isPending}
        onChange={(event) => {
          const team = choices.find((choice) => String(choice.id) === event.target.value);
          if (!team) return;
          move.mutate(team.id, {
            onSuccess: () => showToast(`Moved to ${team.name}: its members see this flow now`, "success"),
            onError: (error) => showToast(`The flow could not be moved: ${errorMessage(error)}`, "error"),
          });
        }}
      >
        {!current && <option value="">None</option>}
        {choices.map((team) => (
          <option key={team.id} value={String(team.id)}>
            {team.name}
          </option>
        ))}
      </select>
      {move.isPending && <Spinner small />}
    </span>
  );
}

/** The team of a flow not made yet: picked before its first save, or left to the maker's first team. */
export function NewFlowTeamPicker({ team, onChange }: { team: number | undefined; onChange: (team: number | undefined) => void }) {
  const selectId = useId();
  const teams = useTeamChoices();
  if (!teams.data?.length) return null;
  return (
    <div className="form-field">
      <label className="form-label" htmlFor={selectId}>
        Team
      </label>
      <select id={selectId} value={team === undefined ? "" : String(team)} onChange={(event) => onChange(event.target.value ? Number(event.target.value) : undefined)}>
        <option value="">Your first team</option>
        {teams.data.map((choice) => (
          <option key={choice.id} value={String(choice.id)}>
            {choice.name}
          </option>
        ))}
      </select>
      <p className="form-help">The team&apos;s members see the flow. It can be moved later.</p>
    </div>
  );
}
