// The sign-in form: checks the tokens against the server before keeping them in sessionStorage.
import { useEffect, useState } from "preact/hooks";
import { ApiError, call, describeError } from "./api.js";
import { type Session, saveSession } from "./session.js";
import { ErrorLine } from "./ui/error-line.js";

interface Health {
  status: string;
  auth?: string;
  message?: string;
}

/** Asks for the admin token (and an API token if the two differ), and checks both before signing in. */
export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [health, setHealth] = useState<Health | undefined>();
  const [adminToken, setAdminToken] = useState("");
  const [apiToken, setApiToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    fetch("/healthz", { cache: "no-store" })
      .then((r) => r.json() as Promise<Health>)
      .then(setHealth, (e: unknown) => setError(`cannot reach Statehouse: ${describeError(e)}`));
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const session = { adminToken: adminToken.trim(), apiToken: apiToken.trim() };
    try {
      // Both checks read nothing sensitive: the read sides' list (admin) and a stream token (API).
      await call("/admin/v1/read-sides", { session });
      await call("/api/v1/stream-tokens", { session, body: { ttl_seconds: 60 } });
      saveSession(session);
      onSignedIn(session);
    } catch (err) {
      const which = err instanceof ApiError && err.message.includes("admin") ? "admin token" : "token";
      setError(`sign-in refused (${which}): ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const authOff = health?.auth === "off";
  return (
    <main class="sign-in">
      <h1>Statehouse console</h1>
      <p>
        {health === undefined
          ? "Checking the server…"
          : health.status !== "ok"
            ? `The server is ${health.status}: ${health.message ?? ""}`
            : authOff
              ? "Authentication is off on this server (local dev): sign in with empty tokens."
              : "Sign in with an admin token (STATEHOUSE_ADMIN_TOKENS). It stays in this tab's session storage and is never put in a URL."}
      </p>
      <form onSubmit={submit}>
        <label for="admin-token">Admin token</label>
        <input id="admin-token" name="admin-token" type="password" autocomplete="off" value={adminToken} onInput={(e) => setAdminToken(e.currentTarget.value)} required={!authOff} />
        <label for="api-token">API token</label>
        <input id="api-token" name="api-token" type="password" autocomplete="off" aria-describedby="api-token-hint" value={apiToken} onInput={(e) => setApiToken(e.currentTarget.value)} />
        <small id="api-token-hint">For entities, the log, documents and live views (STATEHOUSE_API_TOKENS). Leave it empty when the admin token is in that list too.</small>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <ErrorLine error={error} />
    </main>
  );
}
