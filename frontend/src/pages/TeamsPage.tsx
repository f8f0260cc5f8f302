/**
 * /settings/teams (and /settings/teams/{id} with that team open): teams, how many are in each and
 * which roles each gives through `ROLE_GROUPS`; admins make local teams and manage their members.
 * Teams your identity provider pushes over SCIM are read-only here.
 */
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useTeams } from "../api/teams";
import type { Team } from "../api/types";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { usePageTitle } from "./runs/usePageTitle";
import { AdminOnly } from "./settings/AdminOnly";
import { RoleBadges, ScimBadge } from "./settings/IdentityBadges";
import { TeamForm } from "./teams/TeamForm";
import { TeamPanel } from "./teams/TeamPanel";

export function TeamsPage() {
  usePageTitle("Teams");
  return (
    <AdminOnly what="Teams">
      <Teams />
    </AdminOnly>
  );
}

function Teams() {
  const { teamId } = useParams();
  const navigate = useNavigate();
  const teams = useTeams();
  const [adding, setAdding] = useState(false);
  const list = useMemo(() => teams.data?.pages.flatMap((page) => page.results) ?? [], [teams.data]);
  const selected = teamId && /^\d+$/.test(teamId) ? Number(teamId) : null;

  return (
    <main className="page settings-page teams-page">
      <header className="page-head">
        <div>
          <h1>Teams</h1>
          <p className="muted">
            Flows belong to a team, and its members see them. A team named in <code>ROLE_GROUPS</code> also gives its members a role. Teams
            your identity provider manages (SCIM) are changed there.
          </p>
        </div>
        {!adding && (
          <div className="page-head-actions">
            <button type="button" className="button primary" onClick={() => setAdding(true)}>
              New team
            </button>
          </div>
        )}
      </header>

      {adding && (
        <TeamForm
          onCancel={() => setAdding(false)}
          onCreated={(team) => {
            setAdding(false);
            navigate(`/settings/teams/${team.id}`);
          }}
        />
      )}

      <div className={selected !== null ? "settings-split with-panel" : "settings-split"}>
        <div className="settings-list">
          {teams.isLoading ? (
            <Loading label="Loading teams…" />
          ) : teams.error && !teams.data ? (
            <ProblemMessage error={teams.error} title="The teams could not be loaded." />
          ) : list.length === 0 ? (
            <EmptyState title="No teams yet">Make a team for each group of people who share flows.</EmptyState>
          ) : (
            <TeamsTable teams={list} selected={selected} onOpen={(team) => navigate(`/settings/teams/${team.id}`)} />
          )}
          <LoadMore pages={teams} />
        </div>
        {selected !== null && <TeamPanel teamId={selected} closeTo="/settings/teams" />}
      </div>
    </main>
  );
}

function TeamsTable({ teams, selected, onOpen }: { teams: Team[]; selected: number | null; onOpen: (team: Team) => void }) {
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Teams">
        <thead>
          <tr>
            <th scope="col">Team</th>
            <th scope="col">Members</th>
            <th scope="col">Gives the role</th>
          </tr>
        </thead>
        <tbody>
          {teams.map((team) => (
            <tr
              key={team.id}
              className={team.id === selected ? "clickable-row is-selected" : "clickable-row"}
              aria-selected={team.id === selected}
              onClick={(event) => !(event.target as HTMLElement).closest("a") && onOpen(team)}
            >
              <td>
                <Link to={`/settings/teams/${team.id}`} className="person-link">
                  {team.name}
                </Link>
                <span className="person-badges">
                  {team.scim_managed && <ScimBadge />}
                  {team.is_default && (
                    <span className="badge" title="New flows of people in no team go here">
                      default
                    </span>
                  )}
                </span>
              </td>
              <td>{team.member_count}</td>
              <td>
                <RoleBadges roles={team.roles} empty="—" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
