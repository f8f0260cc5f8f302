/**
 * Importing an OpenAPI (3.x) or Swagger (2.0) document as a connector: a name, and the document as an
 * uploaded file (read here as text) or a URL the server fetches. Importing a name again makes its
 * next version.
 */
import { useId, useState } from "react";
import { useImportConnector, type ImportedConnector } from "../../api/connectors";
import { fieldProblems, problemsAllOnFields } from "../../forms/serverProblems";
import { TextField } from "../../forms/TextField";
import { ProblemMessage } from "../../ui/ProblemMessage";

type Source = "file" | "url";

export function ConnectorImportForm({ onImported }: { onImported: (connector: ImportedConnector) => void }) {
  const fileId = useId();
  const fileErrorId = useId();
  const [name, setName] = useState("");
  const [source, setSource] = useState<Source>("file");
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState("");
  const [shown, setShown] = useState<{ name?: string; spec?: string; url?: string }>({});
  const [reading, setReading] = useState(false);
  const importer = useImportConnector();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const problems = {
      name: name.trim() ? undefined : "Enter a name: it becomes part of the node types, connector.<name>.<operation>.",
      spec: source === "file" && !file ? "Choose the OpenAPI document (JSON or YAML)." : undefined,
      url: source === "url" && !url.trim() ? "Enter the URL of the OpenAPI document." : undefined,
    };
    setShown(problems);
    if (problems.name || problems.spec || problems.url) return;
    let body;
    if (source === "file" && file) {
      setReading(true);
      try {
        body = { name: name.trim(), spec: await file.text() };
      } catch {
        setShown({ spec: "The file could not be read." });
        return;
      } finally {
        setReading(false);
      }
    } else {
      body = { name: name.trim(), url: url.trim() };
    }
    importer.mutate(body, {
      onSuccess: (connector) => {
        setFile(null);
        setUrl("");
        onImported(connector);
      },
    });
  };

  const specErrors = fieldProblems(importer.error, "spec", shown.spec);
  const busy = reading || importer.isPending;

  return (
    <form className="settings-card settings-form connector-import" aria-label="Import an OpenAPI document" noValidate onSubmit={(event) => void submit(event)}>
      <h2>Import an OpenAPI document</h2>
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        maxLength={60}
        autoComplete="off"
        placeholder="e.g. crm"
        hint="Short and lowercase: its operations become node types connector.<name>.<operationId>. The same name again makes a new version."
        errors={fieldProblems(importer.error, "name", shown.name)}
      />
      <fieldset className="form-fieldset">
        <legend>The document</legend>
        <label className="radio-row">
          <input type="radio" name="connector-source" checked={source === "file"} onChange={() => setSource("file")} /> Upload a file
        </label>
        <label className="radio-row">
          <input type="radio" name="connector-source" checked={source === "url"} onChange={() => setSource("url")} /> From a URL
        </label>
      </fieldset>
      {source === "file" ? (
        <div className={specErrors.length ? "form-field has-error" : "form-field"}>
          <label className="form-label" htmlFor={fileId}>
            OpenAPI file
          </label>
          <input
            id={fileId}
            type="file"
            accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
            aria-invalid={specErrors.length > 0}
            aria-describedby={specErrors.length ? fileErrorId : undefined}
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
          <p className="form-help">OpenAPI 3.x or Swagger 2.0, JSON or YAML.</p>
          {specErrors.length > 0 && (
            <p className="field-error" id={fileErrorId}>
              {specErrors.join(" ")}
            </p>
          )}
        </div>
      ) : (
        <TextField
          label="Document URL"
          type="url"
          inputMode="url"
          value={url}
          onChange={setUrl}
          autoComplete="off"
          placeholder="https://api.example.com/openapi.json"
          errors={[...fieldProblems(importer.error, "url", shown.url), // A fetched document that is not OpenAPI is refused as `spec`: shown by the URL it came from.
            ...fieldProblems(importer.error, "spec")]}
        />
      )}
      {importer.error && !problemsAllOnFields(importer.error, ["name", "spec", "url"]) && (
        <ProblemMessage error={importer.error} title="The document could not be imported." />
      )}
      <div className="button-row">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Importing…" : "Import"}
        </button>
      </div>
    </form>
  );
}
