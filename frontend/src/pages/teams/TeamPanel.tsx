/**
 * One team beside the teams list: the roles it gives through `ROLE_GROUPS`, its members and where each
 * membership came from; for a local team, renaming, adding and removing members and deleting it.
 * A team SCIM manages is shown read-only.
 */
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useDeleteTeam, useRemoveTeamMember, useRenameTeam, useTeam } from "../../api/teams";
import type { TeamDetail } from "../../api/types";
import { problemsAllOnFields, serverProblems } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { showToast } from "../../stores/toastStore";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Loading, Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { RoleBadges, ScimBadge, SourceBadge } from "../settings/IdentityBadges";
import { PanelClose } from "../settings/PanelClose";
import { personName, SCIM_MANAGED_NOTE } from "../settings/roles";
import { TeamApprovalRule } from "../approvals/TeamApprovalRule";
import { MemberPicker } from "./MemberPicker";

export function TeamPanel({ teamId, closeTo }: { teamId: number; closeTo: string }) {
  const team = useTeam(teamId);
  return (
    <section className="settings-panel" aria-label={team.data ? `Team ${team.data.name}` : "Team"}>
      {team.isLoading ? (
        <Loading label="Loading the team…" />
      ) : team.error || !team.data ? (
        <>
          <PanelClose to={closeTo} />
          <ProblemMessage error={team.error} title="This team could not be loaded." />
        </>
      ) : (
        <TeamDetails key={team.data.id} team={team.data} closeTo={closeTo} />
      )}
    </section>
  );
}

function TeamDetails({ team, closeTo }: { team: TeamDetail; closeTo: string }) {
  const editable = !team.scim_managed;
  return (
    <>
      <header className="settings-panel-head">
        <div>
          <h2>{team.name}</h2>
          <p className="muted small">
            {team.member_count} member{team.member_count === 1 ? "" : "s"}
          </p>
          {(team.scim_managed || team.is_default) && (
            <p className="person-badges">
              {team.scim_managed && <ScimBadge />}
              {team.is_default && <span className="badge">default</span>}
            </p>
          )}
        </div>
        <PanelClose to={closeTo} />
      </header>
      {team.scim_managed && <p className="managed-note">{SCIM_MANAGED_NOTE}: its name and members change there.</p>}
      <section className="panel-section" aria-labelledby={`team-roles-${team.id}`}>
        <h3 id={`team-roles-${team.id}`}>Gives the role</h3>
        {team.roles.length ? (
          <p>
            <RoleBadges roles={team.roles} /> <span className="muted small">to every member, through <code>ROLE_GROUPS</code>.</span>
          </p>
        ) : (
          <p className="muted small">
            No role: members hold only the roles given to them. Name the team in <code>ROLE_GROUPS</code> to give its members one.
          </p>
        )}
      </section>
      {editable && <RenameSection team={team} />}
      <TeamApprovalRule team={team} />
      <MembersSection team={team} editable={editable} />
      {editable && !team.is_default && <DeleteSection team={team} closeTo={closeTo} />}
    </>
  );
}

function RenameSection({ team }: { team: TeamDetail }) {
  const [name, setName] = useState(team.name);
  const rename = useRenameTeam(team.id);
  useEffect(() => setName(team.name), [team.name]);
  const trimmed = name.trim();
  return (
    <form
      className="panel-section"
      aria-label="Rename team"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!trimmed || trimmed === team.name) return;
        rename.mutate(trimmed, { onSuccess: (renamed) => showToast(`Team renamed to ${renamed.name}`, "success") });
      }}
    >
      <h3>Name</h3>
      <TextField
        label="Team name"
        value={name}
        onChange={setName}
        maxLength={150}
        hint={team.roles.length ? "Renaming it changes which ROLE_GROUPS entry applies: its members may lose their role." : undefined}
        errors={serverProblems(rename.error, "name")}
      />
      {rename.error && !problemsAllOnFields(rename.error, ["name"]) && <ProblemMessage error={rename.error} title="The team could not be renamed." />}
      <div className="button-row">
        <button type="submit" className="button secondary small" disabled={!trimmed || trimmed === team.name || rename.isPending}>
          {rename.isPending && <Spinner small />}
          Rename
        </button>
      </div>
    </form>
  );
}

function MembersSection({ team, editable }: { team: TeamDetail; editable: boolean }) {
  const remove = useRemoveTeamMember(team.id);
  return (
    <section className="panel-section" aria-labelledby={`members-${team.id}`}>
      <h3 id={`members-${team.id}`}>Members</h3>
      {team.members.length === 0 ? (
        <p className="muted small">Nobody yet.</p>
      ) : (
        <ul className="member-list" aria-label={`Members of ${team.name}`}>
          {team.members.map((member) => (
            <li key={member.id}>
              <span className="member-name">
                <Link to={`/settings/people/${member.id}`}>{personName(member)}</Link>
                <span className="muted small"> {member.username}</span>
              </span>
              <SourceBadge source={member.source} />
              {editable && (
                <button
                  type="button"
                  className="button ghost tiny"
                  aria-label={`Remove ${member.username} from ${team.name}`}
                  title={member.source === "oidc" ? "They are added again at their next sign-in while the groups claim names this team" : undefined}
                  disabled={remove.isPending && remove.variables === member.id}
                  onClick={() => {
                    remove.mutate(member.id, { onSuccess: () => showToast(`${member.username} removed from ${team.name}`, "success") });
                  }}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {remove.error && <ProblemMessage error={remove.error} title="The member could not be removed." />}
      {editable && <MemberPicker team={team} />}
    </section>
  );
}

function DeleteSection({ team, closeTo }: { team: TeamDetail; closeTo: string }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteTeam(team.id);
  const navigate = useNavigate();
  return (
    <section className="panel-section panel-danger-zone">
      <button type="button" className="button danger-outline small" onClick={() => setConfirming(true)}>
        Delete team
      </button>
      {confirming && (
        <ConfirmDialog
          title={`Delete ${team.name}?`}
          confirmLabel="Delete team"
          pending={remove.isPending}
          error={remove.error}
          errorTitle="The team could not be deleted."
          onClose={() => setConfirming(false)}
          onConfirm={() =>
            remove.mutate(undefined, {
              onSuccess: () => {
                showToast(`Team ${team.name} deleted`, "success");
                navigate(closeTo);
              },
            })
          }
        >
          <p>
            Its flows move to the default team, and its {team.member_count} member{team.member_count === 1 ? "" : "s"} lose the roles it gave
            them.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
