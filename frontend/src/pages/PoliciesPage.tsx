/**
 * /settings/policies (and /settings/policies/{team id}): what each team's flows may use, and the
 * instance's data-loss-prevention groups. Admins only; the rules are enforced when a version is
 * submitted and again before each step runs (nodes/policies.py).
 */
import { useParams, useNavigate } from "react-router-dom";
import { useTeamChoices } from "../api/teams";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { DlpPanel } from "./policies/DlpBoard";
import { TeamPolicyPanel } from "./policies/TeamPolicyForm";
import "./policies/policies.css";
import { usePageTitle } from "./runs/usePageTitle";
import { AdminOnly } from "./settings/AdminOnly";

export function PoliciesPage() {
  usePageTitle("Policies");
  return (
    <AdminOnly what="Policies">
      <Policies />
    </AdminOnly>
  );
}

function Policies() {
  const { teamId } = useParams();
  const navigate = useNavigate();
  const teams = useTeamChoices();
  const chosen = teamId && /^\d+$/.test(teamId) ? Number(teamId) : (teams.data?.[0]?.id ?? null);
  return (
    <main className="page settings-page policies-page">
      <header className="page-head">
        <div>
          <h1>Policies</h1>
          <p className="muted">
            What flows may use. A version that breaks a rule is refused when submitted, naming the node and the rule; a live flow whose policy was tightened
            later fails at the step that breaks it.
          </p>
        </div>
      </header>
      <section className="settings-card" aria-label="Team policies">
        <h2>Team policies</h2>
        {teams.isLoading ? (
          <Loading label="Loading teams…" />
        ) : teams.error ? (
          <ProblemMessage error={teams.error} title="The teams could not be loaded." />
        ) : (
          <>
            <label className="form-label" htmlFor="policy-team">
              Team
            </label>
            <select id="policy-team" value={chosen ?? ""} onChange={(event) => navigate(`/settings/policies/${event.target.value}`)}>
              {(teams.data ?? []).map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </select>
          </>
        )}
      </section>
      {chosen !== null && <TeamPolicyPanel teamId={chosen} />}
      <DlpPanel />
    </main>
  );
}
