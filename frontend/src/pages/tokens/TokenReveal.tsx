/** A new API token, shown the one time the server gives it. */
import type { NewApiToken } from "../../api/types";
import { ShownOnceSecret } from "../../ui/ShownOnceSecret";

export function TokenReveal({ token, onClose }: { token: NewApiToken; onClose: () => void }) {
  return (
    <ShownOnceSecret title="Your new token" label="API token" noun="token" secret={token.token} ifLost="revoke it and make a new one" onClose={onClose}>
      <p>
        <strong>{token.name || "The token"}</strong>
        {token.owner.is_service_account ? ` acts as the service account ${token.owner.username}` : ""}. Send it as{" "}
        <code>Authorization: Bearer …</code> with each API request.
      </p>
    </ShownOnceSecret>
  );
}
