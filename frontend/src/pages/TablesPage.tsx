/**
 * /settings/tables (and /settings/tables/{id} with one open): the data tables flows write with
 * `action.table` — a team's keyed rows for lookups and dedup — and one table's rows, searched by key,
 * page by page; deleting a table.
 */
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useDeleteTable, useTableRows, useTables, type DataTable } from "../api/tables";
import { showToast } from "../stores/toastStore";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { RelativeTime } from "../ui/RelativeTime";
import { useDebounced } from "../ui/useDebounced";
import { truncate } from "./runs/runFormat";
import { usePageTitle } from "./runs/usePageTitle";
import { BuildersOnly } from "./settings/BuildersOnly";
import { PanelClose } from "./settings/PanelClose";

export function TablesPage() {
  usePageTitle("Data tables");
  return (
    <BuildersOnly what="Data tables">
      <Tables />
    </BuildersOnly>
  );
}

function Tables() {
  const { tableId } = useParams();
  const navigate = useNavigate();
  const tables = useTables();
  const list = useMemo(() => tables.data?.pages.flatMap((page) => page.results) ?? [], [tables.data]);
  const selected = tableId ? list.find((table) => table.id === tableId) : undefined;

  return (
    <main className="page settings-page tables-page">
      <header className="page-head">
        <div>
          <h1>Data tables</h1>
          <p className="muted">
            Keyed rows your team&apos;s flows keep with the <Link to="/catalog#action.table">Data table</Link> step: insert, upsert by key and
            look up — for lookups and dedup without another database. A table is made by the first flow that writes to it.
          </p>
        </div>
      </header>
      <div className={selected ? "settings-split with-panel" : "settings-split"}>
        <div className="settings-list">
          {tables.isLoading ? (
            <Loading label="Loading data tables…" />
          ) : tables.error && !tables.data ? (
            <ProblemMessage error={tables.error} title="The data tables could not be loaded." />
          ) : list.length === 0 ? (
            <EmptyState title="No data tables yet">A flow with a Data table step makes its table the first time it writes a row.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="data-table" aria-label="Data tables">
                <thead>
                  <tr>
                    <th scope="col">Table</th>
                    <th scope="col">Team</th>
                    <th scope="col">Rows</th>
                    <th scope="col">Changed</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((table) => (
                    <tr
                      key={table.id}
                      className={table.id === selected?.id ? "clickable-row is-selected" : "clickable-row"}
                      aria-selected={table.id === selected?.id}
                      onClick={(event) => !(event.target as HTMLElement).closest("a") && navigate(`/settings/tables/${table.id}`)}
                    >
                      <td>
                        <Link to={`/settings/tables/${table.id}`} className="person-link">
                          {table.name}
                        </Link>
                      </td>
                      <td>{table.team.name}</td>
                      <td>{table.rows}</td>
                      <td>
                        <RelativeTime iso={table.updated_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <LoadMore pages={tables} />
        </div>
        {selected && <TableRows key={selected.id} table={selected} />}
      </div>
    </main>
  );
}

function TableRows({ table }: { table: DataTable }) {
  const [search, setSearch] = useState("");
  const key = useDebounced(search.trim(), 300);
  const rows = useTableRows(table.id, key);
  const list = useMemo(() => rows.data?.pages.flatMap((page) => page.results) ?? [], [rows.data]);
  return (
    <section className="settings-panel table-rows-panel" aria-label={`Table ${table.name}`}>
      <header className="settings-panel-head">
        <div>
          <h2>{table.name}</h2>
          <p className="muted small">
            Team {table.team.name} · {table.rows} row{table.rows === 1 ? "" : "s"}
          </p>
        </div>
        <PanelClose to="/settings/tables" />
      </header>
      <input
        type="search"
        className="search-input"
        aria-label={`Search ${table.name} by key`}
        placeholder="Find a row by its key…"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      {rows.isLoading ? (
        <Loading label="Loading rows…" />
      ) : rows.error && !rows.data ? (
        <ProblemMessage error={rows.error} title="The rows could not be loaded." />
      ) : list.length === 0 ? (
        <p className="muted small">{key ? `No row has the key “${key}”.` : "No rows yet."}</p>
      ) : (
        <table className="data-table rows-table" aria-label={`Rows of ${table.name}`}>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Data</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {list.map((row) => (
              <tr key={row.key}>
                <td>
                  <code>{row.key}</code>
                </td>
                <td title={JSON.stringify(row.data, null, 2)}>
                  <code>{truncate(JSON.stringify(row.data), 60)}</code>
                </td>
                <td>
                  <RelativeTime iso={row.updated_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pages={rows} small />
      <DeleteTable table={table} />
    </section>
  );
}

function DeleteTable({ table }: { table: DataTable }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteTable();
  const navigate = useNavigate();
  return (
    <section className="panel-section">
      <button type="button" className="button danger-outline" onClick={() => setConfirming(true)}>
        Delete table
      </button>
      {confirming && (
        <ConfirmDialog
          title={`Delete ${table.name}?`}
          confirmLabel="Delete table"
          pending={remove.isPending}
          error={remove.error}
          errorTitle="The table could not be deleted."
          onClose={() => {
            setConfirming(false);
            remove.reset();
          }}
          onConfirm={() =>
            remove.mutate(table.id, {
              onSuccess: () => {
                showToast(`Table ${table.name} deleted`, "success");
                navigate("/settings/tables");
              },
            })
          }
        >
          <p>Every row goes with it. A flow that writes to it again makes it anew, empty; lookups find nothing until then.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
