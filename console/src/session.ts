// The signed-in tokens: kept in sessionStorage (this tab only, gone when it closes), never in a URL.

/** What the console sends: the admin token for /admin/v1 and /metrics, the API token for /api/v1. */
export interface Session {
  adminToken: string;
  /** Empty: the admin token is sent to /api/v1 too (when it is in both STATEHOUSE_*_TOKENS). */
  apiToken: string;
}

const KEY = "statehouse.console.session";

/** The stored session, if this tab signed in. */
export function loadSession(): Session | undefined {
  const text = sessionStorage.getItem(KEY);
  if (text === null) return undefined;
  try {
    const s = JSON.parse(text) as Partial<Session>;
    if (typeof s.adminToken === "string" && typeof s.apiToken === "string") return { adminToken: s.adminToken, apiToken: s.apiToken };
  } catch (cause) {
    console.warn("statehouse console: dropping an unreadable session", cause);
  }
  sessionStorage.removeItem(KEY);
  return undefined;
}

/** Keeps the tokens for this tab. */
export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

/** Signs out: forgets the tokens. */
export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
