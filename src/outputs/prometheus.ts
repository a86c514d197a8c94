/**
 * `prometheus` output (reference §4): a scrape endpoint (`GET /metrics` on `listen`, text format
 * 0.0.4, the latest snapshot) and/or remote-write to `remote_write_url` every `interval` and once
 * at the end. The scrape endpoint stops with the run.
 */
import type { Server } from "bun";
import type { Snapshot, Summary } from "../metrics/index.ts";
import type { OutputContext } from "./registry.ts";
import type { Output } from "./types.ts";
import { promText } from "./encode/prom-series.ts";
import { remoteWrite } from "./remote-write.ts";
import { Pusher } from "./pusher.ts";
import { httpUrl, intervalMs } from "./spec.ts";
import { serveOn } from "./listen.ts";

export function prometheusOutput(spec: { listen?: string; remote_write_url?: string; interval?: number }, ctx: OutputContext): Output {
  let latest: Snapshot | undefined;
  let server: Server<undefined> | undefined;
  let pusher: Pusher | undefined;
  return {
    name: "prometheus",
    wantsSamples: false,
    async start() {
      if (spec.remote_write_url !== undefined) {
        const url = httpUrl(spec.remote_write_url, "prometheus remote_write_url").href;
        pusher = new Pusher(intervalMs(spec), (s) => remoteWrite(url, s), (m) => ctx.problem("prometheus", m));
        // an empty write request: an unreachable or refusing receiver stops the run before any load
        await remoteWrite(url, { timestamp_ms: Date.now(), elapsed_secs: 0, interval_secs: 0, series: [] });
      }
      if (spec.listen !== undefined) {
        server = serveOn(spec.listen, "listen", (req) => {
          const path = new URL(req.url).pathname;
          if (req.method !== "GET" || path !== "/metrics") return new Response("not found\n", { status: 404 });
          return new Response(promText(latest), { headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" } });
        });
      }
      pusher?.start();
    },
    onSnapshot(s: Snapshot) {
      latest = s;
      pusher?.offer(s);
    },
    async finish(summary: Summary) {
      latest = summary.snapshot;
      try {
        await pusher?.finish(summary.snapshot);
        if (pusher?.skipped) ctx.note(`prometheus output: ${pusher.skipped} remote-write push(es) skipped (the receiver was slower than the interval)`);
      } finally {
        server?.stop(true);
      }
    },
    abort() {
      pusher?.stop();
      server?.stop(true);
    },
  };
}
