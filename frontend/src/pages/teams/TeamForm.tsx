/** Making a local team: a name. */
import { useState } from "react";
import { useCreateTeam } from "../../api/teams";
import type { Team } from "../../api/types";
import { fieldProblems, problemsAllOnFields } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { showToast } from "../../stores/toastStore";
import { ProblemMessage } from "../../ui/ProblemMessage";

export function TeamForm({ onCreated, onCancel }: { onCreated: (team: Team) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [missing, setMissing] = useState(false);
  const create = useCreateTeam();
  return (
    <form
      className="settings-card settings-form"
      aria-label="New team"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const trimmed = name.trim();
        setMissing(!trimmed);
        if (!trimmed) return;
        create.mutate(trimmed, {
          onSuccess: (team) => {
            showToast(`Team ${team.name} made`, "success");
            onCreated(team);
          },
        });
      }}
    >
      <h2>New team</h2>
      <TextField
        label="Team name"
        value={name}
        onChange={setName}
        maxLength={150}
        autoComplete="off"
        hint="To give its members a role, name the team in ROLE_GROUPS."
        errors={fieldProblems(create.error, "name", missing && "Enter a name.")}
      />
      {create.error && !problemsAllOnFields(create.error, ["name"]) && <ProblemMessage error={create.error} title="The team could not be made." />}
      <div className="button-row">
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? "Making…" : "Make team"}
        </button>
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
