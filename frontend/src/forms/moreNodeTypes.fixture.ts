/**
 * Test fixtures: node types as GET /api/v1/node-types answers them since issue 7 — with `example` and
 * `config_ports` — a switch whose cases are ports, and two operations of an imported connector.
 */
import type { NodeType } from "../api/types";
import { NODE_TYPES, nodeType } from "./nodeTypes.fixture";

export const SWITCH: NodeType = {
  type: "transform.switch",
  title: "Switch",
  category: "transform",
  description: "Sends the item out by the port of the first case whose condition holds, or by default.",
  config_schema: {
    type: "object",
    additionalProperties: false,
    title: "Switch",
    $defs: {
      Case: {
        type: "object",
        properties: {
          port: { type: "string", title: "Port", description: "The port this case leaves by." },
          condition: { title: "Condition", "x-widget": "condition" },
        },
        required: ["port", "condition"],
      },
    },
    properties: {
      cases: { type: "array", title: "Cases", items: { $ref: "#/$defs/Case" }, description: "Checked in order; the first that holds wins." },
    },
    required: ["cases"],
  },
  ports: ["default"],
  config_ports: { list: "cases", key: "port" },
  inputs: ["in"],
  example: { cases: [{ port: "big", condition: { ">": [{ var: "input.total" }, 1000] } }] },
};

// The shape nodes/connectors/openapi.py `config_schema` gives an operation.
const CRM_CONFIG = {
  type: "object",
  title: "Create a contact",
  additionalProperties: false,
  properties: {
    version: { type: "integer", minimum: 1, title: "Version", description: "The connector version the flow was built with.", default: 2 },
    connection: {
      type: ["string", "null"],
      default: null,
      title: "Connection",
      description: "The connection that signs the requests.",
      "x-widget": "connection",
      "x-connection-kinds": ["api_key"],
    },
    server: { type: ["string", "null"], title: "Server", default: null, description: "Another base URL." },
    parameters: { type: "object", title: "Parameters", properties: { tenant: { type: "string" } } },
    body: { title: "Body", "x-widget": "json" },
  },
  required: ["version"],
};

export const CRM_CREATE_CONTACT: NodeType = {
  type: "connector.crm.createContact",
  title: "Create a contact",
  category: "action",
  description: "POST /contacts — adds a contact to the CRM.",
  config_schema: CRM_CONFIG,
  ports: ["out"],
  config_ports: null,
  inputs: ["in"],
  example: { version: 2, connection: "crm-production", body: { email: "{{ input.email }}" } },
};

export const CRM_LIST_CONTACTS: NodeType = {
  ...CRM_CREATE_CONTACT,
  type: "connector.crm.listContacts",
  title: "List contacts",
  description: "GET /contacts — the CRM's contacts, page by page.",
  example: null,
};

const HTTP = nodeType("action.http");

/** Every fixture node type, action.http with its example. */
export const CATALOG_NODE_TYPES: NodeType[] = [
  ...NODE_TYPES.map((type) => (type.type === HTTP.type ? { ...type, example: { method: "POST", url: "https://api.example.com/orders" } } : type)),
  SWITCH,
  CRM_LIST_CONTACTS,
  CRM_CREATE_CONTACT,
];
