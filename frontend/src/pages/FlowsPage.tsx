/**
 * The flows list (`/`): name, team, live version, state, last run; search and a team filter; and the
 * templates to start from, shown up front to people who have no flow yet. Making flows (new, import,
 * templates) is offered only to people who may write flows.
 */
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { errorMessage } from "../api/client";
import { readFlowFile } from "../api/flowFiles";
import { useFlows, useImportFlow } from "../api/flows";
import { useCan } from "../api/me";
import { useNodeTypeMap } from "../api/nodeTypes";
import { useTeamChoices } from "../api/teams";
import { useTemplates } from "../api/templates";
import type { Flow, Template } from "../api/types";
import { CategoryIcon } from "../canvas/nodeCategories";
import { showToast } from "../stores/toastStore";
import { Dialog } from "../ui/Dialog";
import { EmptyState } from "../ui/EmptyState";
import { Loading, Spinner } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { RelativeTime } from "../ui/RelativeTime";
import { StatusBadge } from "../ui/StatusBadge";
import { useDebounced } from "../ui/useDebounced";
import { flowState } from "./flows/flowState";

export function FlowsPage() {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get("search") ?? "");
  const team = params.get("team") ?? "";
  const query = useDebounced(search.trim(), 250);
  const flows = useFlows(query, team);
  const teams = useTeamChoices();
  const can = useCan();
  const mayWrite = can("flows:write");
  const [showTemplates, setShowTemplates] = useState(false);
  // The server filters by team; rows of another team are left out too, should it not.
  const items = (flows.data?.pages.flatMap((page) => page.results) ?? []).filter((flow) => !team || !flow.team || String(flow.team.id) === team);
  const noFlowsAtAll = flows.isSuccess && items.length === 0 && query === "" && team === "";
  const teamName = teams.data?.find((choice) => String(choice.id) === team)?.name;

  useEffect(() => {
    document.title = "Flows · Switchboard";
  }, []);
  useEffect(() => {
    setParams(
      (before) => {
        const next = new URLSearchParams(before);
        if (query) next.set("search", query);
        else next.delete("search");
        return next;
      },
      { replace: true },
    );
  }, [query, setParams]);
  const setTeam = (value: string) =>
    setParams(
      (before) => {
        const next = new URLSearchParams(before);
        if (value) next.set("team", value);
        else next.delete("team");
        return next;
      },
      { replace: true },
    );

  return (
    <main className="page flows-page">
      <div className="page-head">
        <div>
          <h1>Flows</h1>
          <p className="muted">Automations that connect your tools: a trigger, then the steps that follow.</p>
        </div>
        {mayWrite && (
          <div className="page-head-actions">
            {!noFlowsAtAll && (
              <button type="button" className="button secondary" onClick={() => setShowTemplates(true)}>
                Start from a template
              </button>
            )}
            <ImportFlowButton />
            <Link to="/flows/new" className="button primary">
              New flow
            </Link>
          </div>
        )}
      </div>

      {noFlowsAtAll && !mayWrite ? (
        <EmptyState title="No flows yet">
          Builders make the flows; they appear here once they do. Your role lets you see flows and their runs, not change them.
        </EmptyState>
      ) : noFlowsAtAll ? (
        <section className="welcome" aria-label="Get started">
          <h2>Start with a template</h2>
          <p className="muted">Pick a ready-made flow and adapt it, or start from an empty canvas.</p>
          <TemplateGallery />
          <p className="welcome-scratch">
            Or <Link to="/flows/new">start from scratch</Link>.
          </p>
        </section>
      ) : (
        <>
          <div className="list-toolbar">
            <input
              type="search"
              className="search-input"
              aria-label="Search flows"
              placeholder="Search flows by name…"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
            {((teams.data?.length ?? 0) > 1 || team) && (
              <select aria-label="Team" className="team-filter" value={team} onChange={(event) => setTeam(event.target.value)}>
                <option value="">All teams</option>
                {team && !teamName && <option value={team}>Team {team}</option>}
                {teams.data?.map((choice) => (
                  <option key={choice.id} value={String(choice.id)}>
                    {choice.name}
                  </option>
                ))}
              </select>
            )}
            {flows.isFetching && !flows.isFetchingNextPage && <Spinner small />}
          </div>
          {flows.isPending && <Loading label="Loading flows…" />}
          {flows.error && <ProblemMessage error={flows.error} title="The flows could not be loaded." />}
          {flows.isSuccess && items.length === 0 && (
            <EmptyState title={query ? `No flow matches “${query}”${teamName ? ` in ${teamName}` : ""}` : `${teamName ?? "This team"} has no flows`}>
              {query ? "Try another part of the name" : "Try another team"}
              {query && team ? ", or all teams." : "."}
            </EmptyState>
          )}
          {items.length > 0 && <FlowsTable flows={items} />}
          {flows.hasNextPage && (
            <div className="load-more">
              <button type="button" className="button secondary" onClick={() => void flows.fetchNextPage()} disabled={flows.isFetchingNextPage}>
                {flows.isFetchingNextPage ? "Loading…" : "Show more flows"}
              </button>
            </div>
          )}
        </>
      )}
      {showTemplates && (
        <Dialog title="Start from a template" onClose={() => setShowTemplates(false)} wide>
          <TemplateGallery />
        </Dialog>
      )}
    </main>
  );
}

function FlowsTable({ flows }: { flows: Flow[] }) {
  const nodeTypes = useNodeTypeMap();
  const navigate = useNavigate();
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Flows">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Team</th>
            <th scope="col">State</th>
            <th scope="col">Live version</th>
            <th scope="col">Last run</th>
            <th scope="col">Changed</th>
          </tr>
        </thead>
        <tbody>
          {flows.map((flow) => {
            const trigger = flow.trigger_type ? nodeTypes.get(flow.trigger_type) : undefined;
            return (
              <tr key={flow.id} className="clickable-row" onClick={(event) => !(event.target as HTMLElement).closest("a") && navigate(`/flows/${flow.id}`)}>
                <td>
                  <Link to={`/flows/${flow.id}`} className="flow-link">
                    {flow.name}
                  </Link>
                  {trigger && (
                    <span className="flow-trigger muted small">
                      <CategoryIcon category="trigger" /> {trigger.title}
                    </span>
                  )}
                </td>
                <td>{flow.team ? flow.team.name : <span className="muted">—</span>}</td>
                <td>
                  <StatusBadge status={flowState(flow)} />
                </td>
                <td>{flow.live_version ? `v${flow.live_version}` : <span className="muted">—</span>}</td>
                <td>
                  {flow.last_run ? (
                    <Link to={`/runs/${flow.last_run.id}`} className="last-run" aria-label={`Last run ${flow.last_run.status}`}>
                      <StatusBadge status={flow.last_run.status} />
                      <RelativeTime iso={flow.last_run.created_at} />
                    </Link>
                  ) : (
                    <span className="muted">Never run</span>
                  )}
                </td>
                <td>
                  <RelativeTime iso={flow.updated_at} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Import a flow document (a file exported from this or another Switchboard) as a new flow. */
function ImportFlowButton() {
  const importFlow = useImportFlow();
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);

  const upload = async (file: File | undefined) => {
    if (!file) return;
    try {
      const flow = await importFlow.mutateAsync(await readFlowFile(file));
      showToast(`“${flow.name}” imported`, "success");
      navigate(`/flows/${flow.id}`);
    } catch (error) {
      showToast(`The flow could not be imported: ${errorMessage(error)}`, "error");
    } finally {
      if (input.current) input.current.value = "";
    }
  };

  return (
    <>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        hidden
        aria-label="Flow document to import"
        onChange={(event) => void upload(event.target.files?.[0])}
      />
      <button type="button" className="button secondary" disabled={importFlow.isPending} onClick={() => input.current?.click()}>
        {importFlow.isPending ? "Importing…" : "Import flow"}
      </button>
    </>
  );
}

/** The templates shipped with the product; choosing one creates a flow from it and opens it. */
function TemplateGallery() {
  const templates = useTemplates();
  const importFlow = useImportFlow();
  const navigate = useNavigate();
  const [chosen, setChosen] = useState<string | null>(null);

  const use = (template: Template) => {
    setChosen(template.id);
    importFlow.mutate(
      { ...template.document, name: template.document.name || template.name },
      {
        onSuccess: (flow) => {
          showToast(`“${flow.name}” created from the template`, "success");
          navigate(`/flows/${flow.id}`);
        },
        onError: (error) => showToast(`The template could not be used: ${errorMessage(error)}`, "error"),
        onSettled: () => setChosen(null),
      },
    );
  };

  if (templates.isPending) return <Loading label="Loading templates…" />;
  if (templates.error) return <ProblemMessage error={templates.error} title="The templates could not be loaded." />;
  if (!templates.data.length) return <p className="muted">No templates are installed.</p>;
  return (
    <ul className="template-grid" aria-label="Templates">
      {templates.data.map((template) => (
        <li key={template.id} className="template-card">
          <h3>{template.name}</h3>
          <p className="muted">{template.description}</p>
          <p className="template-steps small muted">{template.document.nodes.length} steps</p>
          <button
            type="button"
            className="button secondary small"
            aria-label={`Use template ${template.name}`}
            disabled={importFlow.isPending}
            onClick={() => use(template)}
          >
            {chosen === template.id ? "Creating…" : "Use this template"}
          </button>
        </li>
      ))}
    </ul>
  );
}
