// The console's shell: sign-in, the navigation and the page the hash route names.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { EntitiesPage } from "./pages/entities.js";
import { EskitPage } from "./pages/eskit.js";
import { LogPage } from "./pages/log.js";
import { OverviewPage } from "./pages/overview.js";
import { ReadSidesPage } from "./pages/read-sides.js";
import { href, useRoute } from "./route.js";
import { type Session, clearSession, loadSession } from "./session.js";
import { SignIn } from "./sign-in.js";
import "./styles.css";

const PAGES = [
  { page: "overview", title: "Overview" },
  { page: "entities", title: "Entities" },
  { page: "log", title: "Log" },
  { page: "read-sides", title: "Read sides" },
  { page: "eskit", title: "eskit" },
] as const;

function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const route = useRoute();
  const current = PAGES.find((p) => p.page === route.page) ?? PAGES[0];
  useEffect(() => {
    document.title = session === undefined ? "Sign in · Statehouse console" : `${current.title} · Statehouse console`;
  }, [session, current]);
  if (session === undefined) return <SignIn onSignedIn={setSession} />;
  return (
    <>
      <header>
        <a class="brand" href={href("overview")}>
          Statehouse
        </a>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a href={href(p.page)} aria-current={p.page === current.page ? "page" : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="sign-out"
          onClick={() => {
            clearSession();
            setSession(undefined);
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        <h1>{current.title}</h1>
        {current.page === "overview" && <OverviewPage />}
        {current.page === "entities" && <EntitiesPage id={route.arg} />}
        {current.page === "log" && <LogPage />}
        {current.page === "read-sides" && <ReadSidesPage id={route.arg} />}
        {current.page === "eskit" && <EskitPage arg={route.arg} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
