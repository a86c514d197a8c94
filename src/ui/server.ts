/**
 * `loadr run --ui`: the live dashboard, served by the run itself (Bun.serve). The page gets the
 * run's state over server-sent events (`init` on connect, `tick` once a second, `done` at the end,
 * whose tiles and tables carry the summary's own numbers)
 * and keeps serving the final results after the run until the user stops loadr. `/v1/*` (pause,
 * resume, stop) is forwarded to the run's control handler when there is one; without one the page
 * hides its buttons.
 */
import type { Server } from "bun";
import type { TimelinePoint } from "../metrics/index.ts";
import type { Summary } from "../metrics/summary.ts";
import { serveOn } from "../outputs/listen.ts";
import { dashboardPage } from "./page.ts";
import { finalFigures, finalStatus, liveThresholds, type LiveDone, type LiveInit, type LiveStatus, type LiveTick } from "./live-state.ts";

export const DEFAULT_UI_BIND = "127.0.0.1:6464";

export interface UiOptions {
  bind: string;
  name: string;
  scenarios: string[];
  control?: (req: Request) => Promise<Response | undefined>;
}

export class UiServer {
  private readonly server: Server<undefined>;
  private readonly clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
  private readonly enc = new TextEncoder();
  private timeline: TimelinePoint[] = [];
  private last: LiveTick | null = null;
  private status: LiveStatus = { state: "running", text: "RUNNING", cls: "run" };
  private summary: Summary | undefined;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  readonly url: string;

  constructor(private readonly o: UiOptions) {
    const page = dashboardPage(o.name, o.control !== undefined);
    this.server = serveOn(o.bind, "--ui-bind", async (req) => {
      const path = new URL(req.url).pathname;
      if (path.startsWith("/v1/")) {
        const res = o.control ? await o.control(req) : undefined;
        return res ?? Response.json({ error: "this run has no control API" }, { status: 404 });
      }
      if (req.method !== "GET") return new Response("method not allowed\n", { status: 405 });
      switch (path) {
        case "/":
          return new Response(page, { headers: { "Content-Type": "text/html; charset=utf-8" } });
        case "/events":
          return this.events(req);
        case "/api/state":
          return Response.json(this.init());
        case "/summary.json":
          return this.summary ? Response.json(this.summary) : Response.json({ error: "the run is still going" }, { status: 404 });
        case "/healthz":
          return new Response("ok\n");
      }
      return new Response("not found\n", { status: 404 });
    });
    const host = this.server.hostname?.includes(":") ? `[${this.server.hostname}]` : this.server.hostname;
    this.url = `http://${host}:${this.server.port}/`;
    // comments keep idle proxies and browsers from closing the stream
    this.heartbeat = setInterval(() => this.broadcast(": keep-alive\n\n"), 15_000);
  }

  /** Once a second, from the coordinator's state. */
  tick(t: LiveTick): void {
    if (t.point) this.timeline.push(t.point);
    this.last = t;
    this.send("tick", t);
  }

  /** The run ended: final timeline, thresholds and status; the page keeps showing them. */
  finish(summary: Summary): void {
    this.summary = summary;
    this.timeline = [...summary.timeline];
    this.status = finalStatus(summary);
    // the tiles and tables end on the summary's own numbers, whatever the last tick had seen
    const final = finalFigures(summary);
    const thresholds = liveThresholds(summary.thresholds);
    const last: LiveTick = this.last ?? {
      elapsed_secs: summary.duration_secs, point: this.timeline.at(-1) ?? null, vus: 0, scenario_vus: {}, ...final, requests: 0, failed: 0, thresholds,
      vus_max: summary.metrics.find((m) => m.metric === "vus_max")?.agg.max ?? 0,
    };
    this.last = {
      ...last,
      ...final,
      requests: final.total.requests,
      failed: final.total.failures,
      thresholds,
      vus: 0,
      scenario_vus: Object.fromEntries(Object.keys(last.scenario_vus).map((k) => [k, 0])),
    };
    const done: LiveDone = { status: this.status, timeline: this.timeline, thresholds, checks: summary.checks, final };
    this.send("done", done);
  }

  /** Ends every event stream (what was sent, the final `done` included, still reaches the page) and stops listening. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const c of this.clients) {
      try {
        c.close();
      } catch {}
    }
    // not forced: a stream just closed still delivers its last events; a connection left open
    // past a second is cut
    await Promise.race([this.server.stop(false), Bun.sleep(1000)]);
    await this.server.stop(true);
  }

  private init(): LiveInit {
    return {
      name: this.o.name,
      scenarios: this.o.scenarios,
      control: this.o.control !== undefined,
      status: this.status,
      timeline: this.timeline,
      last: this.last,
      checks: this.summary?.checks ?? [],
    };
  }

  private events(req: Request): Response {
    let ctl!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        ctl = c;
        this.clients.add(c);
        c.enqueue(this.enc.encode(`retry: 2000\nevent: init\ndata: ${JSON.stringify(this.init())}\n\n`));
      },
      cancel: () => void this.clients.delete(ctl),
    });
    req.signal.addEventListener("abort", () => this.clients.delete(ctl));
    return new Response(stream, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" } });
  }

  private send(event: string, data: unknown): void {
    this.broadcast(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private broadcast(text: string): void {
    const bytes = this.enc.encode(text);
    for (const c of this.clients) {
      try {
        c.enqueue(bytes);
      } catch {
        this.clients.delete(c);
      }
    }
  }
}
