/**
 * /settings/people (and /settings/people/{id} with that person's panel open): everyone who can sign in
 * and every service account, searchable and filtered by active; admins change roles, names and
 * e-mails here (not of people SCIM manages), add local people and deactivate or reactivate accounts.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { usePeople, type PeopleFilters } from "../api/people";
import type { Person } from "../api/types";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading, Spinner } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { RelativeTime } from "../ui/RelativeTime";
import { useDebounced } from "../ui/useDebounced";
import { PersonForm } from "./people/PersonForm";
import { PersonPanel } from "./people/PersonPanel";
import { usePageTitle } from "./runs/usePageTitle";
import { AdminOnly } from "./settings/AdminOnly";
import { DeactivatedBadge, RoleBadges, ScimBadge, ServiceAccountBadge } from "./settings/IdentityBadges";
import { personName } from "./settings/roles";

const ACTIVE_CHOICES: { value: PeopleFilters["active"]; label: string }[] = [
  { value: "true", label: "Active" },
  { value: "false", label: "Deactivated" },
  { value: "", label: "All" },
];

/** The list's filters from the address: active people by default. */
function filtersFrom(params: URLSearchParams): Omit<PeopleFilters, "q"> {
  const active = params.get("active");
  const kind = params.get("service_account");
  return {
    active: active === "false" ? "false" : active === "all" ? "" : "true",
    service_account: kind === "true" || kind === "false" ? kind : "",
  };
}

export function PeoplePage() {
  usePageTitle("People");
  return (
    <AdminOnly what="People">
      <People />
    </AdminOnly>
  );
}

function People() {
  const { personId } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get("q") ?? "");
  const q = useDebounced(search.trim(), 250);
  const filters = useMemo(() => ({ q, ...filtersFrom(params) }), [q, params]);
  const people = usePeople(filters);
  const [adding, setAdding] = useState(false);
  const list = useMemo(() => people.data?.pages.flatMap((page) => page.results) ?? [], [people.data]);
  const selected = personId && /^\d+$/.test(personId) ? Number(personId) : null;

  const setParam = useCallback(
    (key: string, value: string | null) =>
      setParams(
        (before) => {
          const next = new URLSearchParams(before);
          if (value === null || value === "") next.delete(key);
          else next.set(key, value);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  useEffect(() => setParam("q", q), [q, setParam]);

  const query = params.toString() ? `?${params.toString()}` : "";
  const open = (person: Person) => navigate(`/settings/people/${person.id}${query}`);

  return (
    <main className="page settings-page people-page">
      <header className="page-head">
        <div>
          <h1>People</h1>
          <p className="muted">
            Everyone who can sign in, and the service accounts other systems use. Roles decide what each may do; people your identity provider
            manages (SCIM) are changed there.
          </p>
        </div>
        {!adding && (
          <div className="page-head-actions">
            <button type="button" className="button primary" onClick={() => setAdding(true)}>
              Add person
            </button>
          </div>
        )}
      </header>

      {adding && (
        <PersonForm
          onCancel={() => setAdding(false)}
          onCreated={(person) => {
            setAdding(false);
            open(person);
          }}
        />
      )}

      <div className="list-toolbar" role="search" aria-label="Filter people">
        <input
          type="search"
          className="search-input"
          aria-label="Search people"
          placeholder="Search by name, username or e-mail…"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <div className="segmented" role="radiogroup" aria-label="Accounts shown">
          {ACTIVE_CHOICES.map((choice) => (
            <button
              key={choice.label}
              type="button"
              role="radio"
              aria-checked={filters.active === choice.value}
              onClick={() => setParam("active", choice.value === "true" ? null : choice.value || "all")}
            >
              {choice.label}
            </button>
          ))}
        </div>
        <select
          aria-label="Kind of account"
          className="kind-select"
          value={filters.service_account}
          onChange={(event) => setParam("service_account", event.target.value)}
        >
          <option value="">People and service accounts</option>
          <option value="false">People only</option>
          <option value="true">Service accounts only</option>
        </select>
        {people.isFetching && !people.isFetchingNextPage && !people.isLoading && <Spinner small />}
      </div>

      <div className={selected !== null ? "settings-split with-panel" : "settings-split"}>
        <div className="settings-list">
          {people.isLoading ? (
            <Loading label="Loading people…" />
          ) : people.error && !people.data ? (
            <ProblemMessage error={people.error} title="The people could not be loaded." />
          ) : list.length === 0 ? (
            <EmptyState title={q ? `Nobody matches “${q}”` : "Nobody here"}>
              {q ? "Try another part of the name, username or e-mail." : "Try another filter, or add a person."}
            </EmptyState>
          ) : (
            <PeopleTable people={list} selected={selected} query={query} onOpen={open} />
          )}
          <LoadMore pages={people} />
        </div>
        {selected !== null && <PersonPanel personId={selected} closeTo={`/settings/people${query}`} />}
      </div>
    </main>
  );
}

function PeopleTable({ people, selected, query, onOpen }: { people: Person[]; selected: number | null; query: string; onOpen: (person: Person) => void }) {
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="People">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Roles</th>
            <th scope="col">Teams</th>
            <th scope="col">Last sign-in</th>
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr
              key={person.id}
              className={person.id === selected ? "clickable-row is-selected" : "clickable-row"}
              aria-selected={person.id === selected}
              onClick={(event) => !(event.target as HTMLElement).closest("a") && onOpen(person)}
            >
              <td>
                <Link to={`/settings/people/${person.id}${query}`} className="person-link">
                  {personName(person)}
                </Link>
                <span className="person-badges">
                  {person.scim_managed && <ScimBadge />}
                  {person.is_service_account && <ServiceAccountBadge />}
                  {!person.active && <DeactivatedBadge />}
                </span>
                <div className="muted small">
                  {person.username}
                  {person.email && ` · ${person.email}`}
                </div>
              </td>
              <td>
                <RoleBadges roles={person.roles} />
              </td>
              <td className="cell-teams">
                {person.teams.length ? person.teams.map((team) => team.name).join(", ") : <span className="muted">—</span>}
              </td>
              <td>{person.is_service_account ? <span className="muted small">no sign-in</span> : <RelativeTime iso={person.last_login} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
