/**
 * A node's config form, generated from its type's JSON Schema with rjsf: labels from schema titles,
 * descriptions as help text, required marks, defaults, enums as dropdowns; conditions, templates,
 * expressions and JSON get their own editors, connections a picker; the retry policy sits collapsed
 * under "Advanced".
 * Problems come from the server's validation (the same rules it saves with), shown by each field.
 */
import Form from "@rjsf/core";
import {
  getDefaultFormState,
  type FieldProps,
  type FieldTemplateProps,
  type ObjectFieldTemplateProps,
  type RegistryFieldsType,
  type RegistryWidgetsType,
  type RJSFSchema,
  type WidgetProps,
} from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useId, useMemo } from "react";
import type { NodeType, ProblemItem } from "../api/types";
import { configPath } from "../stores/validationStore";
import { ConditionBuilder } from "./ConditionBuilder";
import { ConnectionPicker, connectionKindsOf } from "./ConnectionPicker";
import { fromFormData, prepareConfigSchema, toFormData, type PreparedConfigSchema } from "./configSchema";
import type { ContextPath } from "./contextPaths";
import { ExpressionEditor } from "./ExpressionEditor";
import { ExpressionMapEditor } from "./ExpressionMapEditor";
import { JsonInput } from "./JsonInput";
import { TemplateInput } from "./TemplateInput";

interface ConfigFormContext {
  paths: ContextPath[];
  /** Problem messages by config path ("url", "fields.email"). */
  problems: Record<string, string[]>;
}

function formContextOf(registry: { formContext?: unknown }): ConfigFormContext {
  const context = (registry.formContext ?? {}) as Partial<ConfigFormContext>;
  return { paths: context.paths ?? [], problems: context.problems ?? {} };
}

function pathOf(path: (string | number)[]): string {
  return path.map(String).join(".");
}

/** Problem messages under `prefix` ("fields" → {"email": [...]}) for editors with their own rows. */
function problemsUnder(problems: Record<string, string[]>, prefix: string): Record<string, string[]> {
  const nested: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(problems)) {
    if (path.startsWith(`${prefix}.`)) nested[path.slice(prefix.length + 1).split(".")[0]] = messages;
  }
  return nested;
}

// --- templates ------------------------------------------------------------------------------------

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, required, rawDescription, children, rawErrors = [], hidden, displayLabel, fieldPathId, registry, uiSchema, schema } = props;
  if (hidden) return <div hidden>{children}</div>;
  const path = pathOf(fieldPathId.path);
  if (path === "") return children;
  const { problems } = formContextOf(registry);
  const messages = [...new Set([...rawErrors, ...(problems[path] ?? [])])];
  const custom = Boolean(uiSchema?.["ui:field"]);
  const showLabel = (custom || displayLabel) && schema.type !== "boolean";
  const helpId = `${id}__help`;
  return (
    <div className={`form-field${messages.length ? " has-error" : ""}`}>
      {showLabel && (
        // The mark stays outside the label so the field's name is exactly its title; the input says `required`.
        <div className="form-label-row">
          <label htmlFor={id} className="form-label" id={`${id}__label`}>
            {label}
          </label>
          {required && (
            <span className="required-mark" title="Required">
              *
            </span>
          )}
        </div>
      )}
      {/* Editors of their own (conditions, maps, expressions) are tall: their help goes above them. */}
      {custom && rawDescription && (
        <p className="form-help form-help-above" id={helpId}>
          {rawDescription}
        </p>
      )}
      {children}
      {!custom && rawDescription && schema.type !== "boolean" && (
        <p className="form-help" id={helpId}>
          {rawDescription}
        </p>
      )}
      {messages.map((message, index) => (
        <p key={index} className="field-error">
          {message}
        </p>
      ))}
    </div>
  );
}

function ObjectFieldTemplate({ properties, title, fieldPathId, description }: ObjectFieldTemplateProps) {
  const nested = fieldPathId.path.length > 0;
  const content = properties.filter((property) => !property.hidden).map((property) => <div key={property.name}>{property.content}</div>);
  if (!nested) return <div className="form-fields">{content}</div>;
  return (
    <fieldset className="form-fieldset">
      {title && <legend>{title}</legend>}
      {description}
      {content}
    </fieldset>
  );
}

// --- custom widgets and fields ---------------------------------------------------------------------

function TemplateWidget({ id, value, onChange, onBlur, disabled, readonly, required, options, registry, placeholder, rawErrors }: WidgetProps) {
  const { paths } = formContextOf(registry);
  return (
    <TemplateInput
      id={id}
      value={typeof value === "string" ? value : value === undefined || value === null ? "" : String(value)}
      onChange={(text) => onChange(text === "" ? undefined : text)}
      onBlur={() => onBlur(id, value)}
      paths={paths}
      multiline={Boolean(options.multiline)}
      disabled={disabled || readonly}
      required={required}
      placeholder={placeholder}
      invalid={Boolean(rawErrors?.length)}
      describedBy={`${id}__help`}
    />
  );
}

function ConnectionWidget({ id, value, onChange, onBlur, disabled, readonly, required, schema, rawErrors }: WidgetProps) {
  return (
    <div onBlur={() => onBlur(id, value)}>
      <ConnectionPicker
        id={id}
        value={typeof value === "string" && value !== "" ? value : undefined}
        onChange={onChange}
        kinds={connectionKindsOf(schema as Record<string, unknown>)}
        required={required}
        disabled={disabled || readonly}
        invalid={Boolean(rawErrors?.length)}
        describedBy={`${id}__help`}
      />
    </div>
  );
}

function ConditionField({ formData, onChange, fieldPathId, registry, disabled, readonly, schema, name }: FieldProps) {
  const { paths } = formContextOf(registry);
  return (
    <ConditionBuilder
      id={fieldPathId.$id}
      label={typeof schema.title === "string" ? schema.title : name}
      value={formData}
      paths={paths}
      disabled={disabled || readonly}
      onChange={(value) => onChange(value, fieldPathId.path)}
    />
  );
}

function ExpressionField({ formData, onChange, fieldPathId, registry, disabled, readonly, schema, name }: FieldProps) {
  const { paths } = formContextOf(registry);
  return (
    <ExpressionEditor
      id={fieldPathId.$id}
      label={typeof schema.title === "string" ? schema.title : name}
      value={formData}
      paths={paths}
      disabled={disabled || readonly}
      describedBy={`${fieldPathId.$id}__help`}
      onChange={(value) => onChange(value, fieldPathId.path)}
    />
  );
}

function JsonField({ formData, onChange, fieldPathId, disabled, readonly }: FieldProps) {
  return (
    <JsonInput
      id={fieldPathId.$id}
      value={formData}
      disabled={disabled || readonly}
      describedBy={`${fieldPathId.$id}__help`}
      onChange={(value) => onChange(value, fieldPathId.path)}
    />
  );
}

const ADD_LABELS: Record<string, string> = { fields: "Add field", headers: "Add header", query: "Add parameter" };

function ExpressionMapField({ formData, onChange, fieldPathId, registry, disabled, readonly, schema, name }: FieldProps) {
  const { paths, problems } = formContextOf(registry);
  const path = pathOf(fieldPathId.path);
  return (
    <ExpressionMapEditor
      label={typeof schema.title === "string" ? schema.title : name}
      value={formData as Record<string, unknown> | undefined}
      paths={paths}
      disabled={disabled || readonly}
      problems={problemsUnder(problems, path)}
      addLabel={ADD_LABELS[name] ?? "Add entry"}
      onChange={(value) => onChange(value, fieldPathId.path)}
    />
  );
}

const widgets: RegistryWidgetsType = { template: TemplateWidget, connection: ConnectionWidget };
const fields: RegistryFieldsType = {
  condition: ConditionField,
  expression: ExpressionField,
  json: JsonField,
  expressionMap: ExpressionMapField,
};
const templates = { FieldTemplate, ObjectFieldTemplate };

// --- the form --------------------------------------------------------------------------------------

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface NodeConfigFormProps {
  nodeType: NodeType;
  config: Record<string, unknown>;
  onChange: (config: Record<string, unknown>) => void;
  /** This node's problems (their `field` is relative to the node: "config.url"). */
  problems?: ProblemItem[];
  paths?: ContextPath[];
  disabled?: boolean;
}

/** A JSON object's form, generated by rjsf with this file's templates and editors. */
export interface SchemaFormProps {
  /** A schema prepared by `prepareConfigSchema` (its `schema` and `uiSchema`). */
  prepared: Pick<PreparedConfigSchema, "schema" | "uiSchema">;
  value: Record<string, unknown>;
  /** Called with the form's data when someone edits a field (never for the defaults it shows). */
  onChange: (value: Record<string, unknown>) => void;
  /** Problem messages by field path ("url", "fields.email"). */
  problems?: Record<string, string[]>;
  paths?: ContextPath[];
  disabled?: boolean;
  idPrefix: string;
}

const NO_PROBLEMS: Record<string, string[]> = {};

/** The value with the schema's defaults filled in: what the form shows. */
export function withSchemaDefaults(schema: PreparedConfigSchema["schema"], value: Record<string, unknown>): Record<string, unknown> {
  return stripUndefined((getDefaultFormState(validator, schema as RJSFSchema, value) as Record<string, unknown>) ?? {});
}

export function SchemaForm({ prepared, value, onChange, problems = NO_PROBLEMS, paths = [], disabled, idPrefix }: SchemaFormProps) {
  // What the form shows: the value with the schema's defaults filled in. Until someone edits a
  // field nothing is written, so opening a form never changes what it edits.
  const shown = useMemo(() => withSchemaDefaults(prepared.schema, value), [prepared.schema, value]);
  const formContext = useMemo<ConfigFormContext>(() => ({ paths, problems }), [paths, problems]);
  return (
    <Form
      schema={prepared.schema as RJSFSchema}
      uiSchema={prepared.uiSchema}
      formData={shown}
      validator={validator}
      widgets={widgets}
      fields={fields}
      templates={templates}
      formContext={formContext}
      disabled={disabled}
      noHtml5Validate
      showErrorList={false}
      idPrefix={idPrefix}
      onChange={(event) => {
        const next = stripUndefined((event.formData as Record<string, unknown>) ?? {});
        if (same(next, shown)) return;
        onChange(next);
      }}
      onSubmit={() => undefined}
    />
  );
}

export function NodeConfigForm({ nodeType, config, onChange, problems = [], paths = [], disabled }: NodeConfigFormProps) {
  const prepared = useMemo(() => prepareConfigSchema(nodeType.config_schema), [nodeType.config_schema]);
  const formData = useMemo(() => toFormData(config, prepared), [config, prepared]);
  const problemsByPath = useMemo(() => {
    const byPath: Record<string, string[]> = {};
    for (const problem of problems) {
      const path = configPath(problem);
      if (path) byPath[path] = [...(byPath[path] ?? []), problem.message];
    }
    return byPath;
  }, [problems]);
  const retryProblems = Object.entries(problemsByPath).filter(([path]) => path === "retry" || path.startsWith("retry."));
  const hasFields = Object.keys((prepared.schema.properties as Record<string, unknown>) ?? {}).length > 0;

  return (
    <div className="node-config-form">
      {hasFields ? (
        <SchemaForm
          prepared={prepared}
          value={formData}
          problems={problemsByPath}
          paths={paths}
          disabled={disabled}
          idPrefix={`config-${nodeType.type.replace(/[^A-Za-z0-9]/g, "-")}`}
          onChange={(next) => onChange(fromFormData(next, config))}
        />
      ) : (
        <p className="muted small">This step has nothing to set up.</p>
      )}
      {prepared.retrySchema && (
        <RetrySettings
          schema={prepared.retrySchema}
          value={config.retry}
          category={nodeType.category}
          disabled={disabled}
          problems={retryProblems.flatMap(([, messages]) => messages)}
          onChange={(retry) => {
            const { retry: _old, ...rest } = config;
            void _old;
            onChange(retry === undefined ? rest : { ...rest, retry });
          }}
        />
      )}
    </div>
  );
}

function RetrySettings({
  schema,
  value,
  category,
  onChange,
  disabled,
  problems,
}: {
  schema: Record<string, unknown>;
  value: unknown;
  category: string;
  onChange: (retry: Record<string, unknown> | undefined) => void;
  disabled?: boolean;
  problems: string[];
}) {
  const checkboxId = useId();
  const custom = value !== undefined && value !== null;
  const defaults = useMemo(
    () => stripUndefined((getDefaultFormState(validator, schema as RJSFSchema, {}) as Record<string, unknown>) ?? {}),
    [schema],
  );
  const shown = custom ? { ...defaults, ...(value as Record<string, unknown>) } : defaults;
  const uiSchema = { "ui:submitButtonOptions": { norender: true }, backoff: { "ui:widget": "hidden" } };
  return (
    <details className="advanced" open={custom || problems.length > 0 ? true : undefined}>
      <summary>Advanced</summary>
      <div className="advanced-body">
        <label className="inline-check" htmlFor={checkboxId}>
          <input
            id={checkboxId}
            type="checkbox"
            checked={custom}
            disabled={disabled}
            onChange={(event) => onChange(event.target.checked ? defaults : undefined)}
          />
          <span>Custom retry policy</span>
        </label>
        <p className="form-help">
          {category === "action"
            ? "Without one, this action is tried 3 times with growing pauses when a failure may pass (timeouts, 5xx, 429)."
            : "Without one, this step is tried once."}
        </p>
        {custom && (
          <Form
            schema={schema as RJSFSchema}
            uiSchema={uiSchema}
            formData={shown}
            validator={validator}
            templates={templates}
            disabled={disabled}
            noHtml5Validate
            showErrorList={false}
            idPrefix="retry"
            onChange={(event) => {
              const next = stripUndefined((event.formData as Record<string, unknown>) ?? {});
              if (!same(next, shown)) onChange(next);
            }}
            onSubmit={() => undefined}
          />
        )}
        {problems.map((message, index) => (
          <p key={index} className="field-error">
            {message}
          </p>
        ))}
      </div>
    </details>
  );
}
