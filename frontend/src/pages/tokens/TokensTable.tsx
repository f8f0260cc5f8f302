/** Tokens in a table: name, the prefix that tells them apart, scopes, when last used, expiry, state, and Revoke (with a confirm). */
import { useState } from "react";
import { useRevokeToken } from "../../api/tokens";
import type { ApiToken } from "../../api/types";
import { showToast } from "../../stores/toastStore";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { formatDateTime, RelativeTime } from "../../ui/RelativeTime";
import { StatusBadge } from "../../ui/StatusBadge";
import { ServiceAccountBadge } from "../settings/IdentityBadges";
import { orderedScopes } from "../settings/roles";
import { maskedToken, TOKEN_STATE_BADGES, TOKEN_STATE_LABELS, tokenState } from "./tokenFormat";

export function TokensTable({ tokens, showOwner }: { tokens: ApiToken[]; showOwner: boolean }) {
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const revoke = useRevokeToken();
  const label = (token: ApiToken) => token.name || maskedToken(token.prefix);

  return (
    <div className="table-wrap">
      <table className="data-table tokens-table" aria-label="Tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            {showOwner && <th scope="col">Owner</th>}
            <th scope="col">May</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Revoke</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const state = tokenState(token);
            return (
              <tr key={token.id} className={state === "active" ? undefined : "is-ended"}>
                <td>
                  <strong>{token.name || <span className="muted">Unnamed</span>}</strong>
                  <div className="muted small">
                    <code>{maskedToken(token.prefix)}</code> · made <RelativeTime iso={token.created_at} />
                    {token.created_by && token.created_by !== token.owner.username && ` by ${token.created_by}`}
                  </div>
                </td>
                {showOwner && (
                  <td>
                    {token.owner.username} {token.owner.is_service_account && <ServiceAccountBadge />}
                  </td>
                )}
                <td className="cell-scopes">
                  {orderedScopes(token.scopes).map((scope) => (
                    <code key={scope}>{scope}</code>
                  ))}
                </td>
                <td>{token.last_used_at ? <RelativeTime iso={token.last_used_at} /> : <span className="muted">Never</span>}</td>
                <td>{token.expires_at ? <span title={formatDateTime(token.expires_at)}>{formatDateTime(token.expires_at)}</span> : <span className="muted">Never</span>}</td>
                <td>
                  <StatusBadge status={TOKEN_STATE_BADGES[state]} label={TOKEN_STATE_LABELS[state]} />
                  {token.revoked_at && (
                    <div className="muted small">
                      <RelativeTime iso={token.revoked_at} />
                    </div>
                  )}
                </td>
                <td className="cell-action">
                  {state === "active" && (
                    <button
                      type="button"
                      className="button danger-outline small"
                      aria-label={`Revoke ${label(token)}`}
                      onClick={() => {
                        revoke.reset();
                        setRevoking(token);
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${label(revoking)}?`}
          confirmLabel="Revoke token"
          pending={revoke.isPending}
          error={revoke.error}
          errorTitle="The token could not be revoked."
          onClose={() => setRevoking(null)}
          onConfirm={() =>
            revoke.mutate(revoking.id, {
              onSuccess: () => {
                showToast(`${label(revoking)} revoked`, "success");
                setRevoking(null);
              },
            })
          }
        >
          <p>
            Whatever uses <code>{maskedToken(revoking.prefix)}</code>
            {revoking.owner.is_service_account ? ` (for ${revoking.owner.username})` : ""} is refused from its next request on. This cannot be
            undone: make a new token if it is needed again.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
