/** The server's problems about one form field, read from a refusal's problem document (`errors[].field`). */
import { ApiError } from "../api/client";
import type { ProblemItem } from "../api/types";

function isAbout(item: ProblemItem, field: string): boolean {
  const path = item.field ?? "";
  return path === field || path.startsWith(`${field}[`) || path.startsWith(`${field}.`);
}

/** The server's messages about `field` (`url`, or `event_types` and its items `event_types[2]`). */
export function serverProblems(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.items.filter((item) => isAbout(item, field)).map((item) => item.message);
}

/** Whether every problem the server listed belongs to one of `fields`, so the fields alone show the refusal. */
export function problemsAllOnFields(error: unknown, fields: readonly string[]): boolean {
  if (!(error instanceof ApiError) || error.items.length === 0) return false;
  return error.items.every((item) => fields.some((field) => isAbout(item, field)));
}

/** What a field shows: the form's own problem with it, if any, then the server's. */
export function fieldProblems(error: unknown, field: string, own?: string | false): string[] {
  return own ? [own, ...serverProblems(error, field)] : serverProblems(error, field);
}

/** The server's messages about the fields of an object field, by path inside it (`settings.header` → `header`), for a generated form. */
export function serverProblemsUnder(error: unknown, field: string): Record<string, string[]> {
  if (!(error instanceof ApiError)) return {};
  const byPath: Record<string, string[]> = {};
  for (const item of error.items) {
    const path = item.field ?? "";
    if (!path.startsWith(`${field}.`)) continue;
    const inner = path.slice(field.length + 1);
    byPath[inner] = [...(byPath[inner] ?? []), item.message];
  }
  return byPath;
}
