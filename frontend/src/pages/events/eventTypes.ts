/**
 * The platform's event types an endpoint can subscribe to: the same list as `EVENT_TYPES` in
 * hub/events.py and the messages of /api/asyncapi.yaml (the server refuses any other).
 */
export const EVENT_TYPES = ["run.failed", "run.succeeded", "version.submitted", "version.approved", "version.rejected"] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What each event says, for the checkboxes and the sample picker. */
export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  "run.failed": "A run failed",
  "run.succeeded": "A run succeeded",
  "version.submitted": "A version was submitted for approval",
  "version.approved": "A version was approved and went live",
  "version.rejected": "A version was rejected",
};

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
