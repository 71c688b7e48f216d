// Hash routes (#/log, #/entities/acct-1): the page is one static file, so no server routing is needed.
import { useEffect, useState } from "preact/hooks";

/** The route: its first segment names the page, the rest (decoded) is the page's argument. */
export interface Route {
  page: string;
  arg: string;
}

function parse(hash: string): Route {
  const path = hash.replace(/^#\/?/, "");
  const slash = path.indexOf("/");
  const page = slash === -1 ? path : path.slice(0, slash);
  const arg = slash === -1 ? "" : decodeURIComponent(path.slice(slash + 1));
  return { page: page || "overview", arg };
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

/** The href of a page, with an argument (an entity id) encoded as one segment. */
export function href(page: string, arg?: string): string {
  return arg === undefined || arg === "" ? `#/${page}` : `#/${page}/${encodeURIComponent(arg)}`;
}
