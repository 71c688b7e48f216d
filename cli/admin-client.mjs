// The CLI's HTTP client for Statehouse's admin API: token, JSON, and errors as CliError.

/** An error the CLI prints as one line before exiting non-zero. */
export class CliError extends Error {}

/**
 * The error for a Statehouse that does not answer, with what to check: the usual cause is no
 * `npm run dev` running, or one on another port than the CLI's default.
 * @param {string} baseUrl @param {unknown} cause
 */
export function unreachable(baseUrl, cause) {
  const reason = cause instanceof Error ? (cause.cause?.code ?? cause.cause?.message ?? cause.message) : String(cause);
  return new CliError(`cannot reach ${baseUrl} (${reason}): is \`npm run dev\` running? pass --server URL or set STATEHOUSE_URL`);
}

/**
 * A client for `${baseUrl}/admin/v1`.
 * @param {{ baseUrl: string, token: string | undefined, fetch?: typeof fetch }} opts
 */
export function createAdminClient(opts) {
  const doFetch = opts.fetch ?? fetch;
  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<any>}
   */
  return async function request(method, path, body) {
    const headers = { accept: "application/json" };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const url = `${opts.baseUrl.replace(/\/+$/, "")}/admin/v1${path}`;
    let res;
    try {
      res = await doFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (cause) {
      throw unreachable(opts.baseUrl, cause);
    }
    const text = await res.text();
    let json;
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      throw new CliError(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const hint = res.status === 401 ? " (pass --token or set STATEHOUSE_ADMIN_TOKEN)" : "";
      throw new CliError(`${json.code ?? `HTTP ${res.status}`}: ${json.message ?? text.slice(0, 200)}${hint}`);
    }
    return json;
  };
}
