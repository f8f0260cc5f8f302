/**
 * A node type's config JSON Schema, prepared for the generated form: the `retry` policy taken out
 * (it is shown under "Advanced"), optional values (`anyOf [X, null]`) shown as X, and the editor
 * hints (`x-widget`: condition, template, expression, json, connection) mapped to the form's custom
 * fields and widgets.
 */
import type { JsonSchema } from "../api/types";

export type WidgetKind = "condition" | "template" | "expression" | "json" | "expressionMap" | "connection";

export interface PreparedConfigSchema {
  /** The schema the form renders (no `retry`). */
  schema: JsonSchema;
  uiSchema: Record<string, unknown>;
  /** The retry policy's object schema, when the type takes one. */
  retrySchema: JsonSchema | null;
  /** The custom editor of each property that has one. */
  widgets: Record<string, WidgetKind>;
  /** Properties that take text or a list of texts, edited as text ("a@x.com, b@x.com"). */
  listAsText: Set<string>;
}

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resolves a local `$ref` (`#/$defs/Name`, `#/definitions/Name`) against the root schema. */
export function resolveRef(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = isObject(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  if (!isObject(target)) return schema;
  const { $ref: _ref, ...rest } = schema;
  void _ref;
  return { ...resolveRef(target, root), ...rest };
}

function isNullSchema(schema: unknown): boolean {
  return isObject(schema) && schema.type === "null";
}

function isStringSchema(schema: unknown): boolean {
  return isObject(schema) && schema.type === "string";
}

function isStringList(schema: unknown): boolean {
  return isObject(schema) && schema.type === "array" && isStringSchema(schema.items);
}

/** `anyOf`/`oneOf` without its null branch; one branch left is merged into the property. */
function collapseOptional(property: Schema, root: Schema): { schema: Schema; listAsText: boolean } {
  const key = Array.isArray(property.anyOf) ? "anyOf" : Array.isArray(property.oneOf) ? "oneOf" : null;
  if (!key) return { schema: property, listAsText: false };
  const branches = (property[key] as unknown[]).map((branch) => (isObject(branch) ? resolveRef(branch, root) : branch));
  const kept = branches.filter((branch) => !isNullSchema(branch));
  const { [key]: _branches, ...rest } = property;
  void _branches;
  if (rest.default === null) delete rest.default;
  if (kept.length === 1 && isObject(kept[0])) return { schema: { ...kept[0], ...rest }, listAsText: false };
  // "An address, several separated by commas, or a list": text is the simplest way to say either.
  if (kept.length === 2 && kept.some(isStringSchema) && kept.some(isStringList)) {
    return { schema: { type: "string", ...rest }, listAsText: true };
  }
  return { schema: { ...rest, [key]: kept }, listAsText: false };
}

function hasOpenProperties(schema: Schema): boolean {
  return schema.type === "object" && !isObject(schema.properties) && schema.additionalProperties !== false;
}

/** The custom editor for a property: its `x-widget` hint, else a sensible guess for schemas without one. */
function widgetFor(name: string, schema: Schema): WidgetKind | null {
  const hint = schema["x-widget"];
  const valuesHint = isObject(schema.additionalProperties) ? schema.additionalProperties["x-widget"] : undefined;
  if (hint === "connection") return "connection";
  if (hasOpenProperties(schema) && (hint === "expression" || valuesHint === "expression" || hint === undefined)) return "expressionMap";
  if (hint === "condition" || hint === "template" || hint === "expression" || hint === "json") return hint;
  if (schema.type === undefined && !schema.enum && !schema.anyOf && !schema.oneOf) {
    // Older servers give no hints: a free value is a condition by name, else JSON or an expression.
    if (name === "condition") return "condition";
    if (name === "sample") return "json";
    return "expression";
  }
  if (schema.type === "string" && !schema.enum && typeof schema.description === "string" && schema.description.includes("{{")) return "template";
  return null;
}

const MULTILINE = new Set(["text", "body", "message", "html"]);

export function prepareConfigSchema(configSchema: JsonSchema | null | undefined): PreparedConfigSchema {
  const root: Schema = isObject(configSchema) ? configSchema : { type: "object", properties: {} };
  const properties: Schema = isObject(root.properties) ? root.properties : {};
  const required = Array.isArray(root.required) ? (root.required as string[]) : [];
  const preparedProperties: Schema = {};
  const uiSchema: Record<string, unknown> = { "ui:submitButtonOptions": { norender: true } };
  const widgets: Record<string, WidgetKind> = {};
  const listAsText = new Set<string>();
  let retrySchema: JsonSchema | null = null;

  for (const [name, raw] of Object.entries(properties)) {
    if (!isObject(raw)) continue;
    const resolved = resolveRef(raw, root);
    if (name === "retry") {
      const collapsed = collapseOptional(resolved, root).schema;
      retrySchema = { ...resolveRef(collapsed, root), ...(root.$defs ? { $defs: root.$defs } : {}) };
      continue;
    }
    const { schema, listAsText: asText } = collapseOptional(resolved, root);
    // A null default means "not set": the form shows the field empty rather than writing null.
    if (schema.default === null) delete schema.default;
    if (asText) listAsText.add(name);
    preparedProperties[name] = schema;
    const widget = widgetFor(name, schema);
    if (widget) {
      widgets[name] = widget;
      uiSchema[name] =
        widget === "template"
          ? { "ui:widget": "template", "ui:options": { multiline: MULTILINE.has(name) } }
          : widget === "connection"
            ? { "ui:widget": "connection" }
            : { "ui:field": widget };
    }
  }

  const schema: Schema = {
    ...root,
    properties: preparedProperties,
    required: required.filter((name) => name !== "retry"),
  };
  if (!(schema.required as string[]).length) delete schema.required;
  if (root.$defs) schema.$defs = root.$defs;
  return { schema, uiSchema, retrySchema, widgets, listAsText };
}

/** The config as the form edits it: texts-or-lists become text. */
export function toFormData(config: Record<string, unknown> | undefined, prepared: PreparedConfigSchema): Record<string, unknown> {
  const { retry: _retry, ...data } = config ?? {};
  void _retry;
  for (const name of prepared.listAsText) {
    if (Array.isArray(data[name])) data[name] = (data[name] as unknown[]).join(", ");
  }
  return data;
}

/** The config from the form's data, keeping `retry` and dropping values the form left empty. */
export function fromFormData(
  formData: Record<string, unknown> | undefined,
  previous: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(formData ?? {})) {
    if (value !== undefined) config[key] = value;
  }
  if (previous && previous.retry !== undefined) config.retry = previous.retry;
  return config;
}
