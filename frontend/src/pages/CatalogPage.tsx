/**
 * /catalog: every node type the server knows — built-in ones by category, imported connectors'
 * operations under their connector — with its description, ports, config fields and an example
 * config to copy. Searchable by type, title and description; `?q=` keeps the search in the address
 * and `#<type>` opens the page at one node type, so both can be shared.
 */
import { useEffect, useMemo } from "react";
import { useLocation, useSearchParams } from "react-router-dom";
import { useNodeTypes } from "../api/nodeTypes";
import { groupNodeTypes } from "../canvas/nodeTypeGroups";
import { EmptyState } from "../ui/EmptyState";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { NodeTypeEntry } from "./catalog/NodeTypeEntry";
import { usePageTitle } from "./runs/usePageTitle";
import "./catalog/catalog.css";

export function CatalogPage() {
  usePageTitle("Node catalog");
  const nodeTypes = useNodeTypes();
  const [searchParams, setSearchParams] = useSearchParams();
  const { hash } = useLocation();
  const search = searchParams.get("q") ?? "";
  const groups = useMemo(() => groupNodeTypes(nodeTypes.data ?? [], search), [nodeTypes.data, search]);
  const target = decodeURIComponent(hash.replace(/^#/, ""));
  const shownCount = groups.reduce((count, group) => count + group.types.length, 0);

  const setSearch = (value: string) => {
    const next = new URLSearchParams(searchParams);
    if (value) next.set("q", value);
    else next.delete("q");
    setSearchParams(next, { replace: true });
  };

  // `#<type>` names an element only once the node types are there: then bring it into view.
  const loaded = Boolean(nodeTypes.data);
  useEffect(() => {
    if (!loaded || !target) return;
    document.getElementById(target)?.scrollIntoView?.({ block: "start" });
  }, [loaded, target]);

  return (
    <main className="page catalog-page">
      <header className="page-head">
        <div>
          <h1>Node catalog</h1>
          <p className="muted">
            Every step a flow can use: what it does, the ports it leaves by, what it is set up with, and an example config to copy into a
            flow document. Connectors imported from an OpenAPI document add one step per operation. Every step also takes a{" "}
            <code>retry</code> policy.
          </p>
        </div>
      </header>

      <div className="list-toolbar">
        <input
          type="search"
          className="search-input"
          aria-label="Search node types"
          placeholder="Search by type, title or description…"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        {nodeTypes.data && (
          <span className="muted small" aria-live="polite">
            {shownCount} of {nodeTypes.data.length} node types
          </span>
        )}
      </div>

      {nodeTypes.isPending ? (
        <Loading label="Loading node types…" />
      ) : nodeTypes.error ? (
        <ProblemMessage error={nodeTypes.error} title="The node types could not be loaded." />
      ) : groups.length === 0 ? (
        <EmptyState title={`No node type matches “${search}”`}>Search by a word of the type (action.http), the title or the description.</EmptyState>
      ) : (
        <div className="catalog-body">
          <nav className="catalog-index" aria-label="Catalog groups">
            <ul>
              {groups.map((group) => (
                <li key={group.key}>
                  <a href={`#group-${group.key}`}>
                    {group.connector ? `Connector ${group.label}` : group.label} <span className="muted small">{group.types.length}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="catalog-groups">
            {groups.map((group) => (
              <section key={group.key} id={`group-${group.key}`} className="catalog-group" aria-labelledby={`group-title-${group.key}`}>
                <h2 id={`group-title-${group.key}`}>
                  {group.connector ? (
                    <>
                      <span className="muted">Connector</span> {group.label}
                    </>
                  ) : (
                    group.label
                  )}
                </h2>
                {group.types.map((nodeType) => (
                  <NodeTypeEntry key={nodeType.type} nodeType={nodeType} targeted={nodeType.type === target} />
                ))}
              </section>
            ))}
          </div>
        </div>
      )}
    </main>
  );
}
