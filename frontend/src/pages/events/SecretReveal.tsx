/** An endpoint's signing secret, shown the one time the server gives it. */
import { ShownOnceSecret } from "../../ui/ShownOnceSecret";

export function SecretReveal({ title, secret, url, onClose }: { title: string; secret: string; url: string; onClose: () => void }) {
  return (
    <ShownOnceSecret title={title} label="Signing secret" noun="signing secret" secret={secret} ifLost="rotate the secret to get a new one" onClose={onClose}>
      <p>
        Events sent to <strong className="event-url">{url}</strong> are signed with this secret (Standard Webhooks). The receiver
        needs it to verify them.
      </p>
    </ShownOnceSecret>
  );
}
