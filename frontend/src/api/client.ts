/**
 * The HTTP client of the REST API: session cookie + CSRF header, JSON in and out, and every
 * error turned into an ApiError carrying the server's problem document.
 */
import type { Problem, ProblemItem } from "./types";

export const API_BASE = "/api/v1";

/** An API call that failed; `problem` is the server's problem document (or one made up for network errors). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `The request failed (${problem.status}).`);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }

  /** The per-node and per-field problems the server listed, if any. */
  get items(): ProblemItem[] {
    return this.problem.errors ?? [];
  }
}

/** The readable message of any error thrown by an API call. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function csrfToken(): string {
  const match = document.cookie.split(";").map((part) => part.trim()).find((part) => part.startsWith("csrftoken="));
  return match ? decodeURIComponent(match.slice("csrftoken=".length)) : "";
}

/** Sends the person to the sign-in page and back here afterwards. */
export function redirectToLogin(): void {
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login/?next=${encodeURIComponent(next)}`);
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** `path` is relative to /api/v1 ("/flows"), or an absolute URL the API gave (a `next` link). */
export function apiUrl(path: string, query?: RequestOptions["query"]): string {
  const url = new URL(/^https?:/.test(path) ? path : API_BASE + path, window.location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
  }
  // Same-origin relative URL: the API's absolute `next` links may name another host (a proxy).
  return url.pathname + url.search;
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json", ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (reason) {
    if (reason instanceof DOMException && reason.name === "AbortError") throw reason;
    throw new ApiError({ status: 0, title: "Network error", detail: "The server could not be reached. Check your connection and try again." });
  }
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401) redirectToLogin();
    const problem: Problem =
      body && typeof body === "object" && "status" in body
        ? (body as Problem)
        : { status: response.status, title: response.statusText, detail: `The server answered ${response.status} ${response.statusText}.` };
    throw new ApiError(problem);
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, "body">) => request<T>("GET", path, options),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("POST", path, { ...options, body: body ?? {} }),
  put: <T>(path: string, body: unknown, options?: Omit<RequestOptions, "body">) => request<T>("PUT", path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("PATCH", path, { ...options, body }),
};
