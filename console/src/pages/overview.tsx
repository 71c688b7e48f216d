// Overview: commands/s, events/s and errors by code, the read sides with lag and parked counts, dead letters.
import { useEffect, useRef, useState } from "preact/hooks";
import { send, call } from "../api.js";
import { follow } from "../live.js";
import { type Sample, byLabel, parseExposition, total } from "../metrics.js";
import { href } from "../route.js";
import type { ReadSideStatus } from "../types.js";
import { waited } from "../ui/duration.js";
import { ErrorLine } from "../ui/error-line.js";
import { Sparkline } from "../ui/sparkline.js";
import { usePoll } from "../ui/use-poll.js";

/** /metrics is read this often: its command and error counters reach D1 every ~10 s anyway. */
const SCRAPE_MS = 5000;
const POINTS = 60;

interface Rates {
  commands: number[];
  errors: number[];
  errorsByCode: Map<string, number>;
  committed: number;
  deadLetters: number;
}

/** The overview page. */
export function OverviewPage() {
  const rates = useRates();
  const events = useEventsPerSecond();
  const status = usePoll(() => call<{ read_sides: ReadSideStatus[] }>("/admin/v1/status"), SCRAPE_MS);
  return (
    <div class="overview">
      <section aria-label="Throughput" class="cards">
        <Sparkline label="events/s (live, from the log stream)" values={events} />
        <Sparkline label="commands/s" values={rates.value?.commands ?? []} />
        <Sparkline label="errors/s" values={rates.value?.errors ?? []} />
      </section>
      <ErrorLine error={rates.error} />
      <section aria-labelledby="errors-by-code">
        <h2 id="errors-by-code">Errors by code (since the counters started)</h2>
        {rates.value === undefined || rates.value.errorsByCode.size === 0 ? (
          <p>None.</p>
        ) : (
          <ul class="codes">
            {[...rates.value.errorsByCode].map(([code, n]) => (
              <li>
                <code>{code}</code> {n.toLocaleString("en")}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="rs-heading">
        <h2 id="rs-heading">Read sides</h2>
        <ErrorLine error={status.error} />
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Read side</th>
                <th scope="col">State</th>
                <th scope="col">Lag (events)</th>
                <th scope="col">Oldest wait</th>
                <th scope="col">Retrying</th>
                <th scope="col">Stopped</th>
                <th scope="col">Parked</th>
              </tr>
            </thead>
            <tbody>
              {(status.value?.read_sides ?? []).map((r) => (
                <tr>
                  <th scope="row">
                    <a href={href("read-sides", r.id)}>{r.id}</a>
                  </th>
                  <td>{r.state}</td>
                  <td>{r.lag.toLocaleString("en")}</td>
                  <td>{waited(r.lag_seconds)}</td>
                  <td>{r.retrying}</td>
                  <td>{r.stopped}</td>
                  <td class={r.parked > 0 ? "warn" : ""}>{r.parked}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="dl-heading">
        <h2 id="dl-heading">Dead letters</h2>
        <p>
          {rates.value === undefined ? "…" : `${rates.value.deadLetters.toLocaleString("en")} pending`}
          {" · "}
          <a href={href("read-sides")}>manage</a>
        </p>
      </section>
      <p class="note">Committed events: {rates.value?.committed.toLocaleString("en") ?? "…"}. Counters from GET /metrics every {SCRAPE_MS / 1000} s.</p>
    </div>
  );
}

/** Commands/s and errors/s from the counters of two scrapes in a row. */
function useRates() {
  const prev = useRef<{ at: number; samples: Sample[] } | undefined>(undefined);
  const [series, setSeries] = useState<{ commands: number[]; errors: number[] }>({ commands: [], errors: [] });
  const poll = usePoll(async () => {
    const samples = parseExposition(await (await send("/metrics")).text());
    const at = Date.now();
    const p = prev.current;
    prev.current = { at, samples };
    if (p !== undefined) {
      const secs = (at - p.at) / 1000;
      const rate = (name: string) => Math.max(0, (total(samples, name) - total(p.samples, name)) / secs);
      setSeries((s) => ({ commands: [...s.commands, rate("statehouse_commands_total")].slice(-POINTS), errors: [...s.errors, rate("statehouse_errors_total")].slice(-POINTS) }));
    }
    return samples;
  }, SCRAPE_MS);
  const samples = poll.value;
  const value: Rates | undefined =
    samples === undefined
      ? undefined
      : {
          ...series,
          errorsByCode: byLabel(samples, "statehouse_errors_total", "code"),
          committed: total(samples, "statehouse_events_committed_total"),
          deadLetters: total(samples, "statehouse_dead_letters_pending"),
        };
  return { value, error: poll.error };
}

/** Events per second over the last minute, counted as the log stream delivers them (from now on). */
function useEventsPerSecond(): number[] {
  const [buckets, setBuckets] = useState<number[]>([]);
  useEffect(() => {
    let count = 0;
    const stop = follow({ path: "/api/v1/log/stream", onEvent: () => count++, onState: () => undefined });
    const t = setInterval(() => {
      setBuckets((b) => [...b, count].slice(-POINTS));
      count = 0;
    }, 1000);
    return () => {
      stop();
      clearInterval(t);
    };
  }, []);
  return buckets;
}
