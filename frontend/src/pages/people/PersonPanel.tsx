/**
 * One person, beside the people list: their name and e-mail (read-only when SCIM manages them), the
 * roles they hold and the ones given to them here, their teams and where each membership came from,
 * and deactivating or reactivating their account.
 */
import { useEffect, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { useMe } from "../../api/me";
import { useDeactivatePerson, usePerson, useReactivatePerson, useUpdatePerson } from "../../api/people";
import type { Person } from "../../api/types";
import { problemsAllOnFields, serverProblems } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { showToast } from "../../stores/toastStore";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Loading, Spinner } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import { DeactivatedBadge, RoleBadges, ScimBadge, ServiceAccountBadge, SourceBadge } from "../settings/IdentityBadges";
import { PanelClose } from "../settings/PanelClose";
import { RoleCheckboxes } from "../settings/RoleCheckboxes";
import { orderedRoles, personName, SCIM_MANAGED_NOTE } from "../settings/roles";

export function PersonPanel({ personId, closeTo }: { personId: number; closeTo: string }) {
  const person = usePerson(personId);
  return (
    <section className="settings-panel" aria-label={person.data ? `Person ${person.data.username}` : "Person"}>
      {person.isLoading ? (
        <Loading label="Loading the person…" />
      ) : person.error || !person.data ? (
        <>
          <PanelClose to={closeTo} />
          <ProblemMessage error={person.error} title="This person could not be loaded." />
        </>
      ) : (
        <PersonDetails key={person.data.id} person={person.data} closeTo={closeTo} />
      )}
    </section>
  );
}

function PersonDetails({ person, closeTo }: { person: Person; closeTo: string }) {
  return (
    <>
      <header className="settings-panel-head">
        <div>
          <h2>{personName(person)}</h2>
          <p className="muted small">
            {person.username}
            {person.email && ` · ${person.email}`}
          </p>
          {(person.scim_managed || person.is_service_account || !person.active) && (
            <p className="person-badges">
              {person.scim_managed && <ScimBadge />}
              {person.is_service_account && <ServiceAccountBadge />}
              {!person.active && <DeactivatedBadge />}
            </p>
          )}
        </div>
        <PanelClose to={closeTo} />
      </header>
      <ProfileSection person={person} />
      <RolesSection person={person} />
      <TeamsSection person={person} />
      <AccountSection person={person} />
    </>
  );
}

function ProfileSection({ person }: { person: Person }) {
  const [displayName, setDisplayName] = useState(person.display_name);
  const [email, setEmail] = useState(person.email);
  const update = useUpdatePerson(person.id);
  useEffect(() => {
    setDisplayName(person.display_name);
    setEmail(person.email);
  }, [person.display_name, person.email]);
  const changed = displayName.trim() !== person.display_name || email.trim() !== person.email;

  if (person.scim_managed) {
    return (
      <section className="panel-section" aria-labelledby={`profile-${person.id}`}>
        <h3 id={`profile-${person.id}`}>Profile</h3>
        <p className="managed-note">{SCIM_MANAGED_NOTE}: change the name and e-mail there.</p>
        <TextField label="Name" value={person.display_name} onChange={() => undefined} readOnly />
        <TextField label="E-mail" value={person.email} onChange={() => undefined} readOnly />
      </section>
    );
  }
  return (
    <form
      className="panel-section"
      aria-label="Profile"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate(
          { display_name: displayName.trim(), email: email.trim() },
          { onSuccess: () => showToast(`${person.username} saved`, "success") },
        );
      }}
    >
      <h3>Profile</h3>
      <TextField label="Name" value={displayName} onChange={setDisplayName} maxLength={255} errors={serverProblems(update.error, "display_name")} />
      <TextField label="E-mail" type="email" value={email} onChange={setEmail} errors={serverProblems(update.error, "email")} />
      {update.error && !problemsAllOnFields(update.error, ["display_name", "email"]) && (
        <ProblemMessage error={update.error} title="The profile could not be saved." />
      )}
      <div className="button-row">
        <button type="submit" className="button secondary small" disabled={!changed || update.isPending}>
          {update.isPending && <Spinner small />}
          Save profile
        </button>
      </div>
    </form>
  );
}

function RolesSection({ person }: { person: Person }) {
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(person.direct_roles));
  const update = useUpdatePerson(person.id);
  const directKey = orderedRoles(person.direct_roles).join(",");
  useEffect(() => setChosen(new Set(directKey ? directKey.split(",") : [])), [directKey]);
  const changed = orderedRoles(chosen).join(",") !== directKey;
  // Roles held though not given here come from teams named in ROLE_GROUPS.
  const throughTeams = useMemo(() => person.roles.filter((role) => !person.direct_roles.includes(role)), [person.roles, person.direct_roles]);

  return (
    <section className="panel-section" aria-labelledby={`roles-${person.id}`}>
      <h3 id={`roles-${person.id}`}>Roles</h3>
      <div className="effective-roles">
        <span className="muted small">Holds</span> <RoleBadges roles={person.roles} empty="No role yet: they can sign in but see nothing" />
      </div>
      {throughTeams.length > 0 && (
        <p className="muted small">
          {orderedRoles(throughTeams).join(", ")} through {throughTeams.length === 1 ? "a team" : "teams"} named in <code>ROLE_GROUPS</code>.
        </p>
      )}
      <RoleCheckboxes legend="Roles given here" chosen={chosen} onChange={setChosen} inherited={throughTeams} disabled={update.isPending} />
      {update.error && <ProblemMessage error={update.error} title="The roles could not be saved." />}
      <div className="button-row">
        <button
          type="button"
          className="button secondary small"
          disabled={!changed || update.isPending}
          onClick={() =>
            update.mutate({ roles: orderedRoles(chosen) }, { onSuccess: () => showToast(`Roles of ${person.username} saved`, "success") })
          }
        >
          {update.isPending && <Spinner small />}
          Save roles
        </button>
      </div>
    </section>
  );
}

function TeamsSection({ person }: { person: Person }) {
  return (
    <section className="panel-section" aria-labelledby={`teams-${person.id}`}>
      <h3 id={`teams-${person.id}`}>Teams</h3>
      {person.teams.length === 0 ? (
        <p className="muted small">In no team: their new flows go to the default team.</p>
      ) : (
        <ul className="plain-list" aria-label={`Teams of ${person.username}`}>
          {person.teams.map((team) => (
            <li key={team.id}>
              <Link to={`/settings/teams/${team.id}`}>{team.name}</Link> <SourceBadge source={team.source} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AccountSection({ person }: { person: Person }) {
  const me = useMe();
  const [confirming, setConfirming] = useState(false);
  const deactivate = useDeactivatePerson(person.id);
  const reactivate = useReactivatePerson(person.id);
  const action = person.active ? deactivate : reactivate;
  const self = me.data?.id === person.id;
  // Only the identity provider brings back someone it manages.
  const reactivateBlocked = !person.active && person.scim_managed;

  return (
    <section className="panel-section" aria-labelledby={`account-${person.id}`}>
      <h3 id={`account-${person.id}`}>Account</h3>
      <dl className="facts">
        <dt>Joined</dt>
        <dd>
          <RelativeTime iso={person.date_joined} />
        </dd>
        {!person.is_service_account && (
          <>
            <dt>Last sign-in</dt>
            <dd>{person.last_login ? <RelativeTime iso={person.last_login} /> : <span className="muted">Never</span>}</dd>
          </>
        )}
        {person.deactivated_at && (
          <>
            <dt>Deactivated</dt>
            <dd>{formatDateTime(person.deactivated_at)}</dd>
          </>
        )}
      </dl>
      {reactivateBlocked && <p className="managed-note">{SCIM_MANAGED_NOTE}: reactivate them there.</p>}
      <div className="button-row">
        <button
          type="button"
          className={person.active ? "button danger-outline small" : "button secondary small"}
          disabled={self || reactivateBlocked}
          title={self ? "You cannot deactivate yourself" : undefined}
          onClick={() => {
            action.reset();
            setConfirming(true);
          }}
        >
          {person.active ? "Deactivate" : "Reactivate"}
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={person.active ? `Deactivate ${personName(person)}?` : `Reactivate ${personName(person)}?`}
          confirmLabel={person.active ? "Deactivate" : "Reactivate"}
          danger={person.active}
          pending={action.isPending}
          error={action.error}
          errorTitle={person.active ? "The account could not be deactivated." : "The account could not be reactivated."}
          onClose={() => setConfirming(false)}
          onConfirm={() =>
            action.mutate(undefined, {
              onSuccess: () => {
                setConfirming(false);
                showToast(`${personName(person)} ${person.active ? "deactivated" : "reactivated"}`, "success");
              },
            })
          }
        >
          {person.active ? (
            <p>
              <strong>{person.username}</strong> is signed out everywhere at once, and every API token they hold stops working. Their flows stay
              with their teams. You can reactivate them later{person.scim_managed ? ", unless your identity provider keeps them deactivated" : ""}.
            </p>
          ) : (
            <p>
              <strong>{person.username}</strong> can sign in again with the roles they held. Tokens ended by the deactivation stay ended.
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
