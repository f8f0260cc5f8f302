/** Adding a local person: username, e-mail, name, and a password for local sign-in (optional: without one they sign in through the identity provider). */
import { useState } from "react";
import { useCreatePerson } from "../../api/people";
import type { Person } from "../../api/types";
import { fieldProblems, problemsAllOnFields } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { showToast } from "../../stores/toastStore";
import { ProblemMessage } from "../../ui/ProblemMessage";
import { personName } from "../settings/roles";

const FIELDS = ["username", "email", "display_name", "password"] as const;

export function PersonForm({ onCreated, onCancel }: { onCreated: (person: Person) => void; onCancel: () => void }) {
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState<{ username?: boolean; email?: boolean }>({});
  const create = useCreatePerson();
  const problems = (field: (typeof FIELDS)[number], own?: string | false) => fieldProblems(create.error, field, own);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const name = username.trim();
    const address = email.trim();
    setMissing({ username: !name, email: !address });
    if (!name || !address) return;
    create.mutate(
      { username: name, email: address, display_name: displayName.trim(), ...(password ? { password } : {}) },
      {
        onSuccess: (person) => {
          showToast(`${personName(person)} added`, "success");
          onCreated(person);
        },
      },
    );
  };

  return (
    <form className="settings-card settings-form" aria-label="Add a person" onSubmit={submit} noValidate>
      <h2>Add a person</h2>
      <p className="muted small">
        For people your identity provider does not provision: a contractor, a break-glass admin. Give them a role once they are added.
      </p>
      <div className="form-grid">
        <TextField
          label="Username"
          value={username}
          onChange={setUsername}
          autoComplete="off"
          maxLength={150}
          errors={problems("username", missing.username && "Enter a username.")}
        />
        <TextField
          label="E-mail"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="off"
          errors={problems("email", missing.email && "Enter their e-mail address.")}
        />
        <TextField label="Name" value={displayName} onChange={setDisplayName} autoComplete="off" optional errors={problems("display_name")} />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          optional
          hint="For the local sign-in form. Leave it empty for someone who signs in through your identity provider."
          errors={problems("password")}
        />
      </div>
      {create.error && !problemsAllOnFields(create.error, FIELDS) && <ProblemMessage error={create.error} title="The person could not be added." />}
      <div className="button-row">
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add person"}
        </button>
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
