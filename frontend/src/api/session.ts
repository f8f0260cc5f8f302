/** Ending the browser session: Django's logout view, asked the way the API client asks (CSRF header). */
import { csrfToken } from "./client";

/**
 * Signs out (`POST /logout/` with the CSRF token) and goes where Django sends the browser next,
 * the sign-in page. Throws when the server could not be reached or refused.
 */
export async function signOut(): Promise<void> {
  const response = await fetch("/logout/", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken() },
    redirect: "follow",
  });
  if (!response.ok) throw new Error(`Signing out failed: the server answered ${response.status}.`);
  window.location.assign(response.redirected && response.url ? response.url : "/login/");
}
