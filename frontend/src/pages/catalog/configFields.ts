/**
 * A node type's config fields as the catalog lists them — name, type in words, required, description,
 * default — read from its config JSON Schema (local `$ref`s resolved, optional `anyOf [X, null]` as X).
 * The retry policy every step takes is left out: the catalog says so once.
 */
import type { JsonSchema } from "../../api/types";
import { resolveRef } from "../../forms/configSchema";

export interface ConfigField {
  name: string;
  type: string;
  required: boolean;
  description: string;
  /** The default, as JSON, when there is one. */
  defaultValue: string | null;
}

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const WIDGET_WORDS: Record<string, string> = {
  template: "text with {{ }} placeholders",
  expression: "expression",
  condition: "condition",
  json: "JSON",
};

/** A schema's type in words: "integer", "list of string", "one of a, b", "string or list of string". */
export function typeInWords(raw: unknown, root: Schema): string {
  if (!isObject(raw)) return "any";
  const schema = resolveRef(raw, root);
  const widget = schema["x-widget"];
  if (typeof widget === "string" && WIDGET_WORDS[widget]) return WIDGET_WORDS[widget];
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((value) => (typeof value === "string" ? value : JSON.stringify(value))).join(", ")}`;
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  if (branches) {
    const kept = branches.filter((branch) => !(isObject(branch) && branch.type === "null"));
    return [...new Set(kept.map((branch) => typeInWords(branch, root)))].join(" or ") || "any";
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return typeInWords(schema.allOf[0], root);
  if (Array.isArray(schema.type)) return schema.type.filter((type) => type !== "null").join(" or ");
  if (schema.type === "array") return `list of ${typeInWords(schema.items, root)}`;
  if (schema.type === "object" && isObject(schema.additionalProperties) && !isObject(schema.properties)) {
    return `map of ${typeInWords(schema.additionalProperties, root)}`;
  }
  return typeof schema.type === "string" ? schema.type : "any";
}

export function configFields(configSchema: JsonSchema | null | undefined): ConfigField[] {
  const root: Schema = isObject(configSchema) ? configSchema : {};
  const properties = isObject(root.properties) ? root.properties : {};
  const required = new Set(Array.isArray(root.required) ? (root.required as string[]) : []);
  return Object.entries(properties)
    .filter(([name]) => name !== "retry")
    .map(([name, raw]) => {
      const schema = isObject(raw) ? resolveRef(raw, root) : {};
      const description = typeof schema.description === "string" ? schema.description : "";
      const hasDefault = "default" in schema && schema.default !== null;
      return {
        name,
        type: typeInWords(schema, root),
        required: required.has(name),
        description,
        defaultValue: hasDefault ? JSON.stringify(schema.default) : null,
      };
    });
}
