/** Real receivers for the output tests, started on loopback by the test itself. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

/** A free loopback TCP port (bound then released). */
export function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

export interface Prometheus {
  url: string;
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/** Debian's prometheus on a free port, scraping `scrapeTarget` every second, remote-write receiver on. */
export async function startPrometheus(scrapeTarget: string): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), "loadr-prom-"));
  const port = freePort();
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: loadr
    static_configs: [{ targets: ["${scrapeTarget}"] }]
`,
  );
  const proc: Subprocess = Bun.spawn(
    ["prometheus", `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`, "--web.enable-remote-write-receiver"],
    { stdout: "ignore", stderr: "pipe" },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill();
      throw new Error(`prometheus did not become ready: ${await new Response(proc.stderr as ReadableStream).text().catch(() => "")}`.slice(0, 2000));
    }
    await Bun.sleep(100);
  }
  // Prometheus applies discovered targets a few seconds after start: wait for its first scrape
  // attempt (it fails until loadr listens), so a short run is scraped from its first second on.
  for (;;) {
    const t = (await (await fetch(`${url}/api/v1/targets`)).json()) as any;
    if (t.data.activeTargets.some((a: any) => !a.lastScrape.startsWith("0001"))) break;
    if (Date.now() > deadline + 20_000) throw new Error("prometheus never scraped its target");
    await Bun.sleep(100);
  }
  return {
    url,
    async query(expr) {
      const r = (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`)).json()) as any;
      if (r.status !== "success") throw new Error(`query ${expr}: ${JSON.stringify(r)}`);
      return r.data.result;
    },
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}
