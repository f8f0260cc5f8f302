/**
 * One team's policy: which node types its flows may use (all, or those ticked; triggers and transforms
 * also as a whole), which hosts HTTP requests and webhooks may call, and which node types must be
 * marked sensitive. Saved at once; flows already live are held to it from their next step.
 */
import { useMemo, useState } from "react";
import { ApiError } from "../../api/client";
import { useNodeTypes } from "../../api/nodeTypes";
import { categoryLabel } from "../../canvas/nodeCategories";
import { withTicked } from "../../forms/tickedSet";
import { showToast } from "../../stores/toastStore";
import { Loading } from "../../ui/Loading";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { HostListEditor } from "./HostListEditor";
import { byCategory, WILDCARD_CATEGORIES } from "./nodeTypeGroups";
import { useSaveTeamPolicy, useTeamPolicy, type TeamPolicy } from "./policiesApi";

export function TeamPolicyPanel({ teamId }: { teamId: number }) {
  const policy = useTeamPolicy(teamId);
  if (policy.isLoading) return <Loading label="Loading the team's policy…" />;
  if (policy.error || !policy.data) return <ProblemMessage error={policy.error} title="The policy could not be loaded." />;
  // A fresh form per team and per saved state: what is shown is what is stored.
  return <TeamPolicyForm key={`${teamId}:${policy.data.updated_at}`} policy={policy.data} />;
}

function TeamPolicyForm({ policy }: { policy: TeamPolicy }) {
  const nodeTypes = useNodeTypes();
  const save = useSaveTeamPolicy(policy.team.id);
  const [limited, setLimited] = useState(policy.allowed_node_types.length > 0);
  const [allowed, setAllowed] = useState(() => new Set(policy.allowed_node_types));
  const [hosts, setHosts] = useState(policy.allowed_hosts);
  const [sensitive, setSensitive] = useState(() => new Set(policy.require_sensitive));
  const [nothingTicked, setNothingTicked] = useState(false);
  const groups = useMemo(() => byCategory(nodeTypes.data ?? []), [nodeTypes.data]);
  const hostErrors = useMemo(() => fieldErrors(save.error, "allowed_hosts"), [save.error]);

  const submit = () => {
    const types = limited ? [...allowed] : [];
    setNothingTicked(limited && types.length === 0);
    if (limited && types.length === 0) return;
    save.mutate(
      { allowed_node_types: types, allowed_hosts: hosts, require_sensitive: [...sensitive] },
      { onSuccess: () => showToast(`Policy of ${policy.team.name} saved`, "success") },
    );
  };

  return (
    <form
      className="settings-card settings-form policy-form"
      aria-label={`Policy of ${policy.team.name}`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <h2>Policy of {policy.team.name}</h2>
      {policy.updated_by && <p className="muted small">Last changed by {policy.updated_by}.</p>}

      <fieldset className="form-fieldset">
        <legend>Node types this team may use</legend>
        <label className="policy-check">
          <input type="radio" name="limit" checked={!limited} onChange={() => setLimited(false)} /> Every node type
        </label>
        <label className="policy-check">
          <input type="radio" name="limit" checked={limited} onChange={() => setLimited(true)} /> Only the ones ticked
        </label>
        {limited &&
          groups.map(([category, types]) => {
            const wildcard = `${category}.*`;
            const whole = allowed.has(wildcard);
            return (
              <fieldset key={category} className="form-fieldset policy-category">
                <legend>{categoryLabel(category)}</legend>
                {WILDCARD_CATEGORIES.includes(category) ? (
                  <label className="policy-check">
                    <input type="checkbox" checked={whole} onChange={(event) => setAllowed(withTicked(allowed, wildcard, event.target.checked))} />
                    <strong>All {categoryLabel(category).toLowerCase()}</strong> <code className="muted">{wildcard}</code>
                  </label>
                ) : (
                  <p className="muted small">Actions are allowed one by one, so a connector added later is not allowed by accident.</p>
                )}
                {types.map((nodeType) => (
                  <label key={nodeType.type} className="policy-check">
                    <input
                      type="checkbox"
                      disabled={whole}
                      checked={whole || allowed.has(nodeType.type)}
                      onChange={(event) => setAllowed(withTicked(allowed, nodeType.type, event.target.checked))}
                    />
                    {nodeType.title} <code className="muted">{nodeType.type}</code>
                  </label>
                ))}
              </fieldset>
            );
          })}
        {nothingTicked && <p className="field-error">Tick at least one node type, or choose Every node type.</p>}
      </fieldset>

      <HostListEditor hosts={hosts} onChange={setHosts} errors={hostErrors} />

      <fieldset className="form-fieldset">
        <legend>Must be marked sensitive</legend>
        <p className="muted small">Nodes of these types must be marked sensitive: their input and output are then masked for everyone but admins.</p>
        {groups
          .filter(([category]) => category !== "trigger")
          .flatMap(([, types]) => types)
          .map((nodeType) => (
            <label key={nodeType.type} className="policy-check">
              <input
                type="checkbox"
                checked={sensitive.has(nodeType.type)}
                onChange={(event) => setSensitive(withTicked(sensitive, nodeType.type, event.target.checked))}
              />
              {nodeType.title} <code className="muted">{nodeType.type}</code>
            </label>
          ))}
      </fieldset>

      {save.error && <ProblemMessage error={save.error} title="The policy could not be saved." />}
      <div className="button-row">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save policy"}
        </button>
      </div>
    </form>
  );
}

/** index → message for the server's problems on `field[index]`. */
function fieldErrors(error: unknown, field: string): Map<number, string> {
  const found = new Map<number, string>();
  if (!(error instanceof ApiError)) return found;
  for (const item of error.items) {
    const match = item.field?.match(new RegExp(`^${field}\\[(\\d+)\\]$`));
    if (match) found.set(Number(match[1]), item.message);
  }
  return found;
}
