/**
 * Throughput of HttpClient: 50 concurrent sequential loops for a few seconds, printing req/s.
 * Not a test. Run:  bun test/http-throughput.bench.ts [url] [seconds] [loops]
 * Without a URL it starts a Bun.serve target on 127.0.0.1 in this process (which then shares the
 * core with the client: use an external target such as nginx for numbers comparable to wrk).
 *   taskset -c 1 bun test/http-throughput.bench.ts http://127.0.0.1:8089/ 5 50
 *   taskset -c 1 wrk -t1 -c50 -d5s http://127.0.0.1:8089/
 */
import { HttpClient } from "../src/protocols/http/client.ts";
import type { HttpRequest } from "../src/protocols/http/options.ts";

const [urlArg, secondsArg, loopsArg, mode] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 5);
const loops = Number(loopsArg ?? 50);
let stop: (() => void) | null = null;
let url = urlArg;
if (url === undefined || url === "-") {
  const srv = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
  url = `http://127.0.0.1:${srv.port}/`;
  stop = () => srv.stop(true);
}

const opts = { keepAlive: true, compression: true, cookies: true, followRedirects: true, maxRedirects: 10, hosts: {}, tls: {} };
// one client per loop, as the engine has one per VU
const clients = Array.from({ length: loops }, () => new HttpClient(opts));
const headers: [string, string][] = [];
let count = 0;
let errors = 0;
let bytes = 0;
let durSum = 0;
let running = true;

async function loop(c: HttpClient): Promise<void> {
  const req: HttpRequest = { method: "GET", url: url!, headers, timeoutMs: 10_000 };
  // bounded by the deadline below
  while (running) {
    const r = await c.request(req);
    if (r.error !== undefined) errors++;
    count++;
    bytes += r.bytesReceived;
    durSum += r.timings.duration;
    if (mode === "check" && r.status !== 200) throw new Error(`status ${r.status} ${r.error}`);
  }
}

// warm-up so JIT tiers are reached before measuring
const warm = Date.now() + 500;
await Promise.all(clients.map(async (c) => {
  const req: HttpRequest = { method: "GET", url: url!, headers, timeoutMs: 10_000 };
  while (Date.now() < warm) await c.request(req);
}));
count = 0; errors = 0; bytes = 0; durSum = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
setTimeout(() => { running = false; }, seconds * 1000);
await Promise.all(clients.map(loop));
const elapsed = (performance.now() - t0) / 1000;
const cpuU = process.cpuUsage(cpu0); console.log(`cpu-s ${((cpuU.user + cpuU.system) / 1e6).toFixed(2)} per-cpu-s ${Math.round(count / ((cpuU.user + cpuU.system) / 1e6))} ${url} loops=${loops} ${seconds}s: ${Math.round(count / elapsed)} req/s, errors=${errors}, avg duration ${(durSum / Math.max(count, 1)).toFixed(3)} ms, ${(bytes / elapsed / 1e6).toFixed(1)} MB/s received`);
for (const c of clients) c.close();
stop?.();
