/** Node types as GET /api/v1/node-types answers them (a copy, for tests). */
import type { NodeType } from "../api/types";

export const NODE_TYPES = [
  {
    "type": "trigger.webhook",
    "title": "Webhook",
    "category": "trigger",
    "description": "Starts the flow when an HTTP request arrives at the flow's webhook URL.",
    "config_schema": {
      "$defs": {
        "RetryPolicy": {
          "additionalProperties": false,
          "description": "How often and how patiently a failing step is tried again (full jitter, capped).",
          "properties": {
            "max_attempts": {
              "default": 1,
              "description": "Attempts in all, the first included.",
              "maximum": 25,
              "minimum": 1,
              "title": "Max Attempts",
              "type": "integer"
            },
            "backoff": {
              "const": "exponential",
              "default": "exponential",
              "title": "Backoff",
              "type": "string"
            },
            "base_seconds": {
              "default": 1.0,
              "description": "Delay before the first retry.",
              "maximum": 3600,
              "minimum": 0,
              "title": "Base Seconds",
              "type": "number"
            },
            "max_seconds": {
              "default": 300.0,
              "description": "No delay is longer than this.",
              "maximum": 86400,
              "minimum": 0,
              "title": "Max Seconds",
              "type": "number"
            }
          },
          "title": "RetryPolicy",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "properties": {
        "retry": {
          "anyOf": [
            {
              "$ref": "#/$defs/RetryPolicy"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Retry this step when it fails."
        },
        "verify": {
          "default": "none",
          "description": "standard_webhooks: refuse requests without a valid Standard Webhooks signature made with the flow's webhook secret.",
          "enum": [
            "none",
            "standard_webhooks"
          ],
          "title": "Verify",
          "type": "string"
        },
        "respond": {
          "default": "accepted",
          "description": "accepted: answer 202 as soon as the event is stored. result: wait for the run and answer with the flow's final output.",
          "enum": [
            "accepted",
            "result"
          ],
          "title": "Respond",
          "type": "string"
        },
        "timeout_seconds": {
          "default": 30,
          "description": "With respond=result: seconds to wait for the run before answering 504 with its id.",
          "exclusiveMinimum": 0,
          "maximum": 300,
          "title": "Timeout Seconds",
          "type": "number"
        },
        "max_body_bytes": {
          "anyOf": [
            {
              "maximum": 10485760,
              "minimum": 1,
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "The largest request body accepted, in bytes (default: the WEBHOOK_MAX_BODY_BYTES setting, 1 MiB).",
          "title": "Max Body Bytes"
        }
      },
      "title": "Webhook",
      "type": "object"
    },
    "ports": [
      "out"
    ],
    "inputs": []
  },
  {
    "type": "transform.branch",
    "title": "Branch",
    "category": "transform",
    "description": "Continues on the true port when the condition holds, on the false port when it does not.",
    "config_schema": {
      "$defs": {
        "RetryPolicy": {
          "additionalProperties": false,
          "description": "How often and how patiently a failing step is tried again (full jitter, capped).",
          "properties": {
            "max_attempts": {
              "default": 1,
              "description": "Attempts in all, the first included.",
              "maximum": 25,
              "minimum": 1,
              "title": "Max Attempts",
              "type": "integer"
            },
            "backoff": {
              "const": "exponential",
              "default": "exponential",
              "title": "Backoff",
              "type": "string"
            },
            "base_seconds": {
              "default": 1.0,
              "description": "Delay before the first retry.",
              "maximum": 3600,
              "minimum": 0,
              "title": "Base Seconds",
              "type": "number"
            },
            "max_seconds": {
              "default": 300.0,
              "description": "No delay is longer than this.",
              "maximum": 86400,
              "minimum": 0,
              "title": "Max Seconds",
              "type": "number"
            }
          },
          "title": "RetryPolicy",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "properties": {
        "retry": {
          "anyOf": [
            {
              "$ref": "#/$defs/RetryPolicy"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Retry this step when it fails."
        },
        "condition": {
          "description": "A JsonLogic condition on the run's data, e.g. {\"==\": [{\"var\": \"input.land\"}, \"NL\"]}.",
          "title": "Condition",
          "x-widget": "condition"
        }
      },
      "required": [
        "condition"
      ],
      "title": "Branch",
      "type": "object"
    },
    "ports": [
      "true",
      "false"
    ],
    "inputs": [
      "in"
    ]
  },
  {
    "type": "transform.filter",
    "title": "Filter",
    "category": "transform",
    "description": "Continues only when the condition is true; otherwise the steps after it are skipped.",
    "config_schema": {
      "$defs": {
        "RetryPolicy": {
          "additionalProperties": false,
          "description": "How often and how patiently a failing step is tried again (full jitter, capped).",
          "properties": {
            "max_attempts": {
              "default": 1,
              "description": "Attempts in all, the first included.",
              "maximum": 25,
              "minimum": 1,
              "title": "Max Attempts",
              "type": "integer"
            },
            "backoff": {
              "const": "exponential",
              "default": "exponential",
              "title": "Backoff",
              "type": "string"
            },
            "base_seconds": {
              "default": 1.0,
              "description": "Delay before the first retry.",
              "maximum": 3600,
              "minimum": 0,
              "title": "Base Seconds",
              "type": "number"
            },
            "max_seconds": {
              "default": 300.0,
              "description": "No delay is longer than this.",
              "maximum": 86400,
              "minimum": 0,
              "title": "Max Seconds",
              "type": "number"
            }
          },
          "title": "RetryPolicy",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "properties": {
        "retry": {
          "anyOf": [
            {
              "$ref": "#/$defs/RetryPolicy"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Retry this step when it fails."
        },
        "condition": {
          "description": "A JsonLogic condition on the run's data, e.g. {\">\": [{\"var\": \"input.total\"}, 100]}.",
          "title": "Condition",
          "x-widget": "condition"
        }
      },
      "required": [
        "condition"
      ],
      "title": "Filter",
      "type": "object"
    },
    "ports": [
      "out"
    ],
    "inputs": [
      "in"
    ]
  },
  {
    "type": "transform.map",
    "title": "Map",
    "category": "transform",
    "description": "Builds an object from the run's data, one computed value per field.",
    "config_schema": {
      "$defs": {
        "RetryPolicy": {
          "additionalProperties": false,
          "description": "How often and how patiently a failing step is tried again (full jitter, capped).",
          "properties": {
            "max_attempts": {
              "default": 1,
              "description": "Attempts in all, the first included.",
              "maximum": 25,
              "minimum": 1,
              "title": "Max Attempts",
              "type": "integer"
            },
            "backoff": {
              "const": "exponential",
              "default": "exponential",
              "title": "Backoff",
              "type": "string"
            },
            "base_seconds": {
              "default": 1.0,
              "description": "Delay before the first retry.",
              "maximum": 3600,
              "minimum": 0,
              "title": "Base Seconds",
              "type": "number"
            },
            "max_seconds": {
              "default": 300.0,
              "description": "No delay is longer than this.",
              "maximum": 86400,
              "minimum": 0,
              "title": "Max Seconds",
              "type": "number"
            }
          },
          "title": "RetryPolicy",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "properties": {
        "retry": {
          "anyOf": [
            {
              "$ref": "#/$defs/RetryPolicy"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Retry this step when it fails."
        },
        "fields": {
          "additionalProperties": {
            "x-widget": "expression"
          },
          "description": "Each output field and its value: a JsonLogic rule such as {\"var\": \"trigger.body.total\"}, a template string such as \"{{ input.name }}\", or a literal.",
          "title": "Fields",
          "type": "object"
        }
      },
      "required": [
        "fields"
      ],
      "title": "Map",
      "type": "object"
    },
    "ports": [
      "out"
    ],
    "inputs": [
      "in"
    ]
  },
  {
    "type": "action.email",
    "title": "Send e-mail",
    "category": "action",
    "description": "Sends a plain-text e-mail and outputs its Message-ID.",
    "config_schema": {
      "$defs": {
        "RetryPolicy": {
          "additionalProperties": false,
          "description": "How often and how patiently a failing step is tried again (full jitter, capped).",
          "properties": {
            "max_attempts": {
              "default": 1,
              "description": "Attempts in all, the first included.",
              "maximum": 25,
              "minimum": 1,
              "title": "Max Attempts",
              "type": "integer"
            },
            "backoff": {
              "const": "exponential",
              "default": "exponential",
              "title": "Backoff",
              "type": "string"
            },
            "base_seconds": {
              "default": 1.0,
              "description": "Delay before the first retry.",
              "maximum": 3600,
              "minimum": 0,
              "title": "Base Seconds",
              "type": "number"
            },
            "max_seconds": {
              "default": 300.0,
              "description": "No delay is longer than this.",
              "maximum": 86400,
              "minimum": 0,
              "title": "Max Seconds",
              "type": "number"
            }
          },
          "title": "RetryPolicy",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "properties": {
        "retry": {
          "anyOf": [
            {
              "$ref": "#/$defs/RetryPolicy"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Retry this step when it fails."
        },
        "to": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            }
          ],
          "description": "Who receives it. An address, several separated by commas, or a list; {{ templates }} allowed.",
          "title": "To",
          "x-widget": "template"
        },
        "subject": {
          "description": "The subject line; may hold {{ templates }}.",
          "title": "Subject",
          "type": "string",
          "x-widget": "template"
        },
        "text": {
          "description": "The message, as plain text; may hold {{ templates }}.",
          "title": "Text",
          "type": "string",
          "x-widget": "template"
        },
        "cc": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Who receives a copy. An address, several separated by commas, or a list; {{ templates }} allowed.",
          "title": "Cc"
        },
        "reply_to": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "items": {
                "type": "string"
              },
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Where replies go instead of the sender. An address, several separated by commas, or a list; {{ templates }} allowed.",
          "title": "Reply To"
        }
      },
      "required": [
        "to",
        "subject",
        "text"
      ],
      "title": "Send e-mail",
      "type": "object"
    },
    "ports": [
      "out"
    ],
    "inputs": [
      "in"
    ]
  },
  {
    "type": "action.http",
    "title": "HTTP request",
    "category": "action",
    "description": "Calls a web address and outputs the reply's status, headers and body.",
    "config_schema": {
      "$defs": {
        "RetryPolicy": {
          "additionalProperties": false,
          "description": "How often and how patiently a failing step is tried again (full jitter, capped).",
          "properties": {
            "max_attempts": {
              "default": 1,
              "description": "Attempts in all, the first included.",
              "maximum": 25,
              "minimum": 1,
              "title": "Max Attempts",
              "type": "integer"
            },
            "backoff": {
              "const": "exponential",
              "default": "exponential",
              "title": "Backoff",
              "type": "string"
            },
            "base_seconds": {
              "default": 1.0,
              "description": "Delay before the first retry.",
              "maximum": 3600,
              "minimum": 0,
              "title": "Base Seconds",
              "type": "number"
            },
            "max_seconds": {
              "default": 300.0,
              "description": "No delay is longer than this.",
              "maximum": 86400,
              "minimum": 0,
              "title": "Max Seconds",
              "type": "number"
            }
          },
          "title": "RetryPolicy",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "properties": {
        "retry": {
          "anyOf": [
            {
              "$ref": "#/$defs/RetryPolicy"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Retry this step when it fails."
        },
        "method": {
          "default": "GET",
          "description": "The HTTP method.",
          "enum": [
            "GET",
            "POST",
            "PUT",
            "PATCH",
            "DELETE",
            "HEAD"
          ],
          "title": "Method",
          "type": "string"
        },
        "url": {
          "description": "The address to call; may hold {{ templates }}. Private and local addresses are refused unless EGRESS_ALLOW names them.",
          "minLength": 1,
          "title": "Url",
          "type": "string",
          "x-widget": "template"
        },
        "headers": {
          "additionalProperties": {
            "x-widget": "expression"
          },
          "description": "Request headers. Each value is a template string, a JsonLogic rule or a literal.",
          "title": "Headers",
          "type": "object"
        },
        "query": {
          "additionalProperties": {
            "x-widget": "expression"
          },
          "description": "Query parameters added to the URL, evaluated like headers; a list repeats its name.",
          "title": "Query",
          "type": "object"
        },
        "json": {
          "default": null,
          "description": "A JSON body, evaluated: templates and rules inside objects and lists are filled in.",
          "title": "Json",
          "x-widget": "expression"
        },
        "body": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "A text body instead of json; may hold {{ templates }}. Sent as text/plain unless the headers name another Content-Type.",
          "title": "Body",
          "x-widget": "template"
        },
        "timeout": {
          "anyOf": [
            {
              "exclusiveMinimum": 0,
              "maximum": 300,
              "type": "number"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Seconds to wait for the connection and for each read (default: the HTTP_DEFAULT_TIMEOUT_SECONDS setting, 30).",
          "title": "Timeout"
        }
      },
      "required": [
        "url"
      ],
      "title": "HTTP request",
      "type": "object"
    },
    "ports": [
      "out"
    ],
    "inputs": [
      "in"
    ]
  }
] as NodeType[];

export const nodeType = (type: string): NodeType => NODE_TYPES.find((candidate) => candidate.type === type)!;
