// The write token, when the server wants one: kept for this tab only.
const KEY = 'imagestore.token';

/** The token this tab was given, if any. */
export function token(): string | null {
  return sessionStorage.getItem(KEY);
}

/** Asks for the token; true when one was given. */
export function askForToken(message: string): boolean {
  const given = window.prompt(`${message}\n\nWrite token (kept for this tab only):`);
  if (!given) return false;
  sessionStorage.setItem(KEY, given.trim());
  return true;
}
