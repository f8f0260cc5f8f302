/**
 * The condition builder's model (and/or groups of field-operator-value rules) and its exact
 * translation to and from JsonLogic. Only standard JsonLogic operators are written; a rule the
 * model cannot hold without changing it parses to null, and the editor then shows it raw.
 */

export type Combinator = "and" | "or";

export type Operator =
  | "=="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<="
  | "contains"
  | "notContains"
  | "in"
  | "notIn"
  | "truthy"
  | "falsy";

export interface ConditionRule {
  kind: "rule";
  id: string;
  /** A context path such as `input.total` or `trigger.body.customer.email`. */
  field: string;
  operator: Operator;
  /** A JSON value, or `{"var": path}` to compare with another path. Unused by truthy/falsy. */
  value: unknown;
}

export interface ConditionGroup {
  kind: "group";
  id: string;
  combinator: Combinator;
  not: boolean;
  /**
   * A root group holding a single rule that was written without `and`/`or`
   * (`{">": [...]}`): written back the same way while it holds one rule.
   */
  implicit?: boolean;
  rules: ConditionNode[];
}

export type ConditionNode = ConditionRule | ConditionGroup;

export interface OperatorInfo {
  value: Operator;
  label: string;
  /** Whether the rule takes a value. */
  takesValue: boolean;
  /** Whether the value is a list. */
  list?: boolean;
}

export const OPERATORS: OperatorInfo[] = [
  { value: "==", label: "equals", takesValue: true },
  { value: "!=", label: "does not equal", takesValue: true },
  { value: ">", label: "is greater than", takesValue: true },
  { value: ">=", label: "is at least", takesValue: true },
  { value: "<", label: "is less than", takesValue: true },
  { value: "<=", label: "is at most", takesValue: true },
  { value: "contains", label: "contains", takesValue: true },
  { value: "notContains", label: "does not contain", takesValue: true },
  { value: "in", label: "is one of", takesValue: true, list: true },
  { value: "notIn", label: "is not one of", takesValue: true, list: true },
  { value: "truthy", label: "has a value", takesValue: false },
  { value: "falsy", label: "is empty or false", takesValue: false },
];

export function operatorInfo(operator: Operator): OperatorInfo {
  return OPERATORS.find((info) => info.value === operator) ?? OPERATORS[0];
}

let counter = 0;
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function emptyCondition(): ConditionGroup {
  return { kind: "group", id: newId("group"), combinator: "and", not: false, implicit: true, rules: [] };
}

export function newRule(field = ""): ConditionRule {
  return { kind: "rule", id: newId("rule"), field, operator: "==", value: "" };
}

export function newGroup(): ConditionGroup {
  return { kind: "group", id: newId("group"), combinator: "and", not: false, rules: [newRule()] };
}

// --- model → JsonLogic ---------------------------------------------------------------------------

type Json = unknown;

const COMPARISONS = new Set(["==", "!=", ">", ">=", "<", "<="]);

function variable(path: string): Json {
  return { var: path };
}

export function ruleToJsonLogic(rule: ConditionRule): Json {
  const field = variable(rule.field);
  switch (rule.operator) {
    case "contains":
      return { in: [rule.value, field] };
    case "notContains":
      return { "!": { in: [rule.value, field] } };
    case "in":
      return { in: [field, asList(rule.value)] };
    case "notIn":
      return { "!": { in: [field, asList(rule.value)] } };
    case "truthy":
      return { "!!": field };
    case "falsy":
      return { "!": field };
    default:
      return { [rule.operator]: [field, rule.value] };
  }
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === "" || value === undefined ? [] : [value];
}

/** The JsonLogic of a condition; undefined when it has no rules (nothing to check yet). */
export function toJsonLogic(node: ConditionNode): Json | undefined {
  if (node.kind === "rule") return ruleToJsonLogic(node);
  const parts = node.rules.map(toJsonLogic).filter((part) => part !== undefined);
  if (parts.length === 0) return undefined;
  const inner = parts.length === 1 && node.implicit ? parts[0] : { [node.combinator]: parts };
  return node.not ? { "!": inner } : inner;
}

// --- JsonLogic → model ---------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The operator and its arguments of a one-key JsonLogic object, else null. */
function operation(value: unknown): [string, unknown[]] | null {
  if (!isObject(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1) return null;
  const args = value[keys[0]];
  return [keys[0], Array.isArray(args) ? args : [args]];
}

/** The path of `{"var": "path"}` (plain string path, no default), else null. */
function variablePath(value: unknown): string | null {
  const op = operation(value);
  if (!op || op[0] !== "var") return null;
  const raw = (value as { var: unknown }).var;
  if (typeof raw === "string") return raw;
  if (Array.isArray(raw) && raw.length === 1 && typeof raw[0] === "string") return null; // ["x"] form: keep raw
  return null;
}

/** A value the builder can show: a literal without operators inside, or a plain variable. */
function isBuilderValue(value: unknown): boolean {
  if (variablePath(value) !== null) return true;
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return true;
  return false;
}

function parseRule(logic: unknown): ConditionRule | null {
  const op = operation(logic);
  if (!op) return null;
  const [name, args] = op;
  if (COMPARISONS.has(name)) {
    // `{"==": x}` with one argument or three (between) is not a builder rule.
    if (!Array.isArray((logic as Record<string, unknown>)[name]) || args.length !== 2) return null;
    const field = variablePath(args[0]);
    if (field === null || !isBuilderValue(args[1])) return null;
    return { kind: "rule", id: newId("rule"), field, operator: name as Operator, value: args[1] };
  }
  if (name === "in" && args.length === 2) {
    const haystack = variablePath(args[1]);
    if (haystack !== null && isBuilderValue(args[0])) {
      return { kind: "rule", id: newId("rule"), field: haystack, operator: "contains", value: args[0] };
    }
    const field = variablePath(args[0]);
    if (field !== null && Array.isArray(args[1]) && args[1].every((item) => isBuilderValue(item) && variablePath(item) === null)) {
      return { kind: "rule", id: newId("rule"), field, operator: "in", value: args[1] };
    }
    return null;
  }
  if (name === "!!" && args.length === 1) {
    const field = variablePath(args[0]);
    return field === null ? null : { kind: "rule", id: newId("rule"), field, operator: "truthy", value: "" };
  }
  if (name === "!" && args.length === 1 && !Array.isArray((logic as Record<string, unknown>)["!"])) {
    const field = variablePath(args[0]);
    if (field !== null) return { kind: "rule", id: newId("rule"), field, operator: "falsy", value: "" };
    const inner = parseRule(args[0]);
    if (inner?.operator === "contains") return { ...inner, operator: "notContains" };
    if (inner?.operator === "in") return { ...inner, operator: "notIn" };
  }
  return null;
}

function parseNode(logic: unknown): ConditionNode | null {
  const op = operation(logic);
  if (!op) return null;
  const [name, args] = op;
  if ((name === "and" || name === "or") && Array.isArray((logic as Record<string, unknown>)[name]) && args.length > 0) {
    const rules: ConditionNode[] = [];
    for (const arg of args) {
      const child = parseNode(arg);
      if (!child) return null;
      rules.push(child);
    }
    return { kind: "group", id: newId("group"), combinator: name, not: false, rules };
  }
  const rule = parseRule(logic);
  if (rule) return rule;
  if (name === "!" && args.length === 1 && !Array.isArray((logic as Record<string, unknown>)["!"])) {
    const inner = parseNode(args[0]);
    if (inner?.kind === "group" && !inner.not) return { ...inner, not: true };
    if (inner?.kind === "rule") return { kind: "group", id: newId("group"), combinator: "and", not: true, implicit: true, rules: [inner] };
  }
  return null;
}

/**
 * The builder model of a JsonLogic condition, or null when the builder cannot show it exactly
 * (then it is edited as raw JsonLogic). An absent condition is an empty builder.
 */
export function fromJsonLogic(logic: unknown): ConditionGroup | null {
  if (logic === undefined || logic === null || (isObject(logic) && Object.keys(logic).length === 0)) return emptyCondition();
  const node = parseNode(logic);
  if (!node) return null;
  if (node.kind === "rule") return { kind: "group", id: newId("group"), combinator: "and", not: false, implicit: true, rules: [node] };
  // A negated rule group at the root is written {"!": {"and": [...]}}: a group with not.
  return node;
}

// --- values as text -------------------------------------------------------------------------------

const TEMPLATE = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

/** Whether `text` would be read back as something other than itself (a number, true, a quoted string…). */
function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** How a rule value is shown in its text box: strings as they are, other JSON as JSON, `{{ path }}` for a path. */
export function valueToText(value: unknown, list = false): string {
  const path = variablePath(value);
  if (path !== null) return `{{ ${path} }}`;
  if (list && Array.isArray(value)) {
    const simple = value.every(
      (item) => (typeof item === "number" || typeof item === "boolean") || (typeof item === "string" && !item.includes(",") && item.trim() === item && item !== "" && !looksLikeJson(item)),
    );
    return simple ? value.map((item) => String(item)).join(", ") : JSON.stringify(value);
  }
  if (typeof value === "string") return looksLikeJson(value) || TEMPLATE.test(value) ? JSON.stringify(value) : value;
  if (value === undefined) return "";
  return JSON.stringify(value);
}

/** The value typed in a rule's text box: JSON when it reads as JSON (42, true, "42"), `{{ path }}` as a path, else text. */
export function textToValue(text: string, list = false): unknown {
  const trimmed = text.trim();
  const path = TEMPLATE.exec(trimmed);
  if (path) return variable(path[1]);
  if (list) {
    if (trimmed.startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // Not a JSON list: read it as comma-separated values below.
      }
    }
    return trimmed === "" ? [] : trimmed.split(",").map((item) => textToValue(item.trim()));
  }
  if (trimmed !== "" && looksLikeJson(trimmed)) {
    const parsed: unknown = JSON.parse(trimmed);
    // Objects and lists typed into a single value stay text unless they are plain JSON values.
    return parsed;
  }
  return text;
}
