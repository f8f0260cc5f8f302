/**
 * The shapes the browser app exchanges with the REST API, named for what they are.
 * They come from the generated OpenAPI types (schema.d.ts, `npm run gen:api`); where the
 * OpenAPI document is looser than the contract (free-form JSON fields) they are narrowed here.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

/** One problem in a request or a draft: which node (if any), which field path (if any), what is wrong. */
export type ProblemItem = Schemas["ProblemItem"];

/** An RFC 9457 problem document, as every API error is. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  correlation_id?: string;
  errors?: ProblemItem[];
}

/** A page of a cursor-paginated list. */
export interface Page<T> {
  results: T[];
  next: string | null;
}

export interface Position {
  x: number;
  y: number;
}

/** A node of a `switchboard.flow/v1` document. */
export interface FlowNode {
  id: string;
  type: string;
  name?: string;
  description?: string;
  config?: Record<string, unknown>;
  position?: Position;
  /** Its step data is masked for everyone but admins (run history, live updates, exports, diffs). */
  sensitive?: boolean;
}

/** An edge of a `switchboard.flow/v1` document; `sourcePort` defaults to "out". */
export interface FlowEdge {
  source: string;
  target: string;
  sourcePort?: string;
  targetPort?: string;
}

/** The flow document (CONTRACT §2): drafts, versions, export and import all use it. */
export interface FlowDocument {
  schema?: string;
  name?: string;
  description?: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export const FLOW_SCHEMA = "switchboard.flow/v1";

export type FlowState = Schemas["FlowStateEnum"];

export type RunStatus = Schemas["RunStatusEnum"];
export type StepStatus = Schemas["StepStatusEnum"];

/** The latest run of a flow, as the flows list shows it. */
export type RunSummary = Schemas["LastRun"];

/** A flow as lists show it; one flow read or written alone also has `problems` (its draft's). */
export type Flow = Omit<Schemas["FlowOut"], "draft"> & {
  draft: FlowDocument;
  problems?: ProblemItem[];
};

export type NodeCategory = Schemas["CategoryEnum"];

/** A JSON Schema, as node types declare their config. */
export type JsonSchema = Record<string, unknown>;

/** More output ports named in a node's config: each item of `config[list]` adds the port `item[key]` (transform.switch's cases). */
export interface ConfigPorts {
  list: string;
  key: string;
}

export type NodeType = Omit<Schemas["NodeTypeOut"], "config_schema" | "config_ports" | "example"> & {
  config_schema: JsonSchema;
  config_ports?: ConfigPorts | null;
  /** A valid config, shown in the node catalog. */
  example?: Record<string, unknown> | null;
};

export type Step = Schemas["StepOut"];

/** A run; one read by id (or pushed over its socket) also carries the graph it executed. */
export type Run = Omit<Schemas["RunOut"], "steps"> & { steps: Step[]; graph?: FlowDocument | null };

export type VersionState = Schemas["VersionStateEnum"];

export type Version = Omit<Schemas["VersionOut"], "graph"> & {
  graph: FlowDocument;
};

export type VersionDiff = Schemas["VersionDiff"];

/** A team as other resources name it (a flow's team, a person's teams). */
export type TeamRef = Schemas["TeamRef"];

/** How someone came to be in a team: added here, pushed by SCIM, or read from the OIDC groups claim. */
export type MembershipSource = Schemas["SourceEnum"];

/** What a person or a token may do (CONTRACT §5); a role gives a set of them. `scim` is for provisioning tokens only. */
export type Scope = Exclude<Schemas["ScopeEnum"], "scim">;

/** The signed-in person: their roles, teams and what this request may do (`scopes`). */
export type Me = Schemas["MeOut"];

// The API always answers every field of these; the document marks those with defaults optional.

/** A membership as a person's page shows it. */
export type PersonTeam = Required<Schemas["PersonTeam"]>;

/** A person (or service account) as admins manage them. `roles` are the effective ones; `direct_roles` those given here. */
export type Person = Omit<Required<Schemas["PersonOut"]>, "teams"> & { teams: PersonTeam[] };

/** A team; `roles` are those its members hold through `ROLE_GROUPS`. */
export type Team = Required<Schemas["TeamOut"]>;

export type TeamMember = Required<Schemas["TeamMember"]>;

export type TeamDetail = Omit<Required<Schemas["TeamDetailOut"]>, "members"> & { members: TeamMember[] };

/** An API token as lists show it: never the token itself, which is shown once when made. */
export type ApiToken = Required<Schemas["TokenOut"]>;

/** The answer to making a token: the plain token, this once. */
export type NewApiToken = Required<Schemas["TokenCreated"]>;

/** A service account: no password, no browser sign-in; it holds tokens for scripts and other systems. */
export type ServiceAccount = Omit<Required<Schemas["ServiceAccountOut"]>, "teams"> & { teams: PersonTeam[] };

/** A flow document shipped with the product to start from. */
export type Template = Omit<Schemas["FlowTemplate"], "document"> & { document: FlowDocument };
