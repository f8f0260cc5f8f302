/** Adding someone to a team: find them by name, username or e-mail, then Add. */
import { useId, useMemo, useState } from "react";
import { usePeople } from "../../api/people";
import { useAddTeamMember } from "../../api/teams";
import type { TeamDetail } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { useDebounced } from "../../ui/useDebounced";
import { personName } from "../settings/roles";

const SHOWN = 8;

export function MemberPicker({ team }: { team: TeamDetail }) {
  const inputId = useId();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 250);
  const people = usePeople({ q, active: "true", service_account: "" }, q.length > 0);
  const add = useAddTeamMember(team.id);
  const members = useMemo(() => new Set(team.members.map((member) => member.id)), [team.members]);
  const found = (people.data?.pages[0]?.results ?? []).filter((person) => !members.has(person.id)).slice(0, SHOWN);

  return (
    <div className="member-picker">
      <label className="form-label" htmlFor={inputId}>
        Add a member
      </label>
      <input
        id={inputId}
        type="search"
        placeholder="Name, username or e-mail"
        autoComplete="off"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      {q && (
        <ul className="picker-results" aria-label="People found">
          {people.isFetching && !people.data && (
            <li className="muted small">
              <Spinner small /> Searching…
            </li>
          )}
          {people.data && found.length === 0 && <li className="muted small">Nobody else matches “{q}”.</li>}
          {found.map((person) => (
            <li key={person.id}>
              <span>
                {personName(person)} <span className="muted small">{person.username}</span>
              </span>
              <button
                type="button"
                className="button secondary tiny"
                aria-label={`Add ${person.username} to ${team.name}`}
                disabled={add.isPending}
                onClick={() =>
                  add.mutate(person.id, {
                    onSuccess: () => {
                      setSearch("");
                      showToast(`${person.username} added to ${team.name}`, "success");
                    },
                  })
                }
              >
                Add
              </button>
            </li>
          ))}
        </ul>
      )}
      {people.error && <ProblemMessage error={people.error} title="People could not be searched." />}
      {add.error && <ProblemMessage error={add.error} title="The member could not be added." />}
    </div>
  );
}
