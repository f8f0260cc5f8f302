/**
 * /settings/tokens: one's API tokens — made here (scopes within one's roles, an optional expiry, the
 * token shown once), revoked here, with when each was last used. Admins also see everyone's tokens
 * and manage service accounts, the owners of tokens for other systems.
 */
import { useMemo, useState } from "react";
import { useCan } from "../api/me";
import { useTokens } from "../api/tokens";
import type { NewApiToken } from "../api/types";
import { EmptyState } from "../ui/EmptyState";
import { LoadMore } from "../ui/LoadMore";
import { Loading, Spinner } from "../ui/Loading";
import { ProblemMessage } from "../ui/ProblemMessage";
import { usePageTitle } from "./runs/usePageTitle";
import { ServiceAccounts } from "./tokens/ServiceAccounts";
import { TokenDialog } from "./tokens/TokenDialog";
import { TokenReveal } from "./tokens/TokenReveal";
import { TokensTable } from "./tokens/TokensTable";

export function TokensPage() {
  usePageTitle("API tokens");
  const can = useCan();
  const admin = can("admin");
  const [all, setAll] = useState(false);
  const tokens = useTokens(admin && all);
  const [making, setMaking] = useState(false);
  const [made, setMade] = useState<NewApiToken | null>(null);
  const list = useMemo(() => tokens.data?.pages.flatMap((page) => page.results) ?? [], [tokens.data]);
  const showAll = admin && all;

  const onCreated = (token: NewApiToken) => {
    setMaking(false);
    setMade(token);
  };

  return (
    <main className="page settings-page tokens-page">
      <header className="page-head">
        <div>
          <h1>API tokens</h1>
          <p className="muted">
            Tokens let scripts and other systems use the API as you: send one as <code>Authorization: Bearer …</code>. Give each only what it
            needs, and revoke it when it is no longer used.
          </p>
        </div>
        <div className="page-head-actions">
          <button type="button" className="button primary" onClick={() => setMaking(true)}>
            New token
          </button>
        </div>
      </header>

      {admin && (
        <div className="list-toolbar">
          <label className="toggle">
            <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} />
            All tokens <span className="muted small">(everyone's, service accounts' included)</span>
          </label>
          {tokens.isFetching && !tokens.isLoading && !tokens.isFetchingNextPage && <Spinner small />}
        </div>
      )}

      <section aria-label={showAll ? "All tokens" : "Your tokens"}>
        {tokens.isLoading ? (
          <Loading label="Loading tokens…" />
        ) : tokens.error && !tokens.data ? (
          <ProblemMessage error={tokens.error} title="The tokens could not be loaded." />
        ) : list.length === 0 ? (
          <EmptyState
            title={showAll ? "Nobody has a token" : "You have no tokens"}
            action={
              <button type="button" className="button secondary" onClick={() => setMaking(true)}>
                Make a token
              </button>
            }
          >
            A token lets a script or another system call the API with the permissions you choose.
          </EmptyState>
        ) : (
          <TokensTable tokens={list} showOwner={showAll} />
        )}
        <LoadMore pages={tokens} />
      </section>

      {admin && <ServiceAccounts onTokenCreated={setMade} />}

      {making && <TokenDialog onClose={() => setMaking(false)} onCreated={onCreated} />}
      {made && <TokenReveal token={made} onClose={() => setMade(null)} />}
    </main>
  );
}
