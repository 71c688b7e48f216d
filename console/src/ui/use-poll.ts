// Reads an answer now and every `everyMs` after, for figures the server offers no stream of.
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api.js";

/** The latest value of `load`, its error, and a reload function; `deps` restart it. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []) {
  const [value, setValue] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (v) => live && (setValue(v), setError(undefined)),
        (e: unknown) => live && setError(describeError(e)),
      );
    void run();
    const t = everyMs > 0 ? setInterval(run, everyMs) : undefined;
    return () => {
      live = false;
      if (t !== undefined) clearInterval(t);
    };
  }, [...deps, tick]);
  return { value, error, reload: () => setTick((n) => n + 1) };
}
