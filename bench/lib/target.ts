/**
 * The target every tool loads: nginx with one worker (fast and known, so the figures measure the
 * load generator), else loadr's own echo target in a separate process. Either way it is pinned to
 * core 0 and listens on loopback only (nginx: 127.0.0.1–127.0.0.4, for the many-VU bench).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTool } from "./prereqs.ts";
import { treeCpuSeconds } from "./cpu.ts";
import { hardNofile, pinning, withNofile } from "./proc.ts";

export interface Target {
  kind: "nginx" | "echo";
  /** base URL without trailing slash; the benches GET `${url}/` */
  url: string;
  /** the same target on 127.0.0.1–127.0.0.4 (nginx only; the many-VU bench spreads over them) */
  spreadUrls: string[];
  /** CPU seconds the target (all its processes) has used so far */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Enough connections for the 50,000-VU bench plus headroom. */
const MAX_CONNECTIONS = 60_000;
/** Open files wanted; containers often cap the hard limit (20,000 here even for root): never ask nginx for more than it. */
const NOFILE = Math.min(120_000, hardNofile());
/** loopback addresses the target listens on (Linux routes all of 127.0.0.0/8 to lo) */
export const SPREAD_HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];

/**
 * The start of an nginx.conf for one bench run in `dir` (one worker, in the foreground, its files
 * there), up to `connections` connections and, when given, `nofile` open files: up to the
 * `http {` block's keep-alive settings, which hold one connection per VU for the whole run.
 */
export function nginxConfHead(dir: string, connections: number, nofile?: number): string {
  return `# written by bench/lib for one bench run
worker_processes 1;
${nofile !== undefined ? `worker_rlimit_nofile ${nofile};\n` : ""}daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${connections}; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # one keep-alive connection per VU for the whole run
  keepalive_requests 100000000;
  keepalive_timeout 120s;
`;
}

export function nginxConf(dir: string, port: number): string {
  return `${nginxConfHead(dir, MAX_CONNECTIONS, NOFILE)}  server {
${SPREAD_HOSTS.map((h) => `    listen ${h}:${port};`).join("\n")}
    location / { return 200 "ok"; }
    # the flow bench extracts from this (the echo target's /json, byte for byte)
    location = /json {
      default_type application/json;
      return 200 '{"items":[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}],"token":"tok-123","nested":{"deep":{"value":42}}}';
    }
  }
}
`;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Until `url`/ answers OK (true), the child exits or `ms` pass (false); `init` for the fetch (TLS options). */
export async function waitReady(url: string, child: { exitCode: number | null }, ms = 10_000, init?: BunFetchRequestInit): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    try {
      if ((await fetch(url + "/", init)).ok) return true;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  return false;
}

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(p: ReturnType<typeof Bun.spawn>): Promise<void> {
  if (p.exitCode !== null) return;
  p.kill("SIGTERM");
  const done = await Promise.race([p.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
  if (!done) p.kill("SIGKILL");
}

async function startNginx(nginx: string): Promise<Target | null> {
  const dir = mkdtempSync(join(tmpdir(), "loadr-bench-nginx-"));
  const port = await freePort();
  writeFileSync(join(dir, "nginx.conf"), nginxConf(dir, port));
  const p = Bun.spawn(withNofile(pinning.target([nginx, "-p", dir, "-c", join(dir, "nginx.conf")]), NOFILE), {
    stdout: "ignore",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitReady(url, p))) {
    await stopChild(p);
    const err = await new Response(p.stderr).text().catch(() => "");
    console.log(`nginx did not start (${err.trim().split("\n").pop() ?? "no message"}); using the echo target`);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    kind: "nginx",
    url,
    spreadUrls: SPREAD_HOSTS.map((h) => `http://${h}:${port}`),
    cpuSeconds: () => treeCpuSeconds(p.pid),
    async stop() {
      await stopChild(p);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startEchoProcess(root: string): Promise<Target> {
  const port = await freePort();
  const script = join(root, "bench", "echo-target.ts");
  const p = Bun.spawn(withNofile(pinning.target([process.execPath, script, String(port)]), NOFILE), {
    stdout: "ignore",
    stderr: "inherit",
  });
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitReady(url, p))) {
    await stopChild(p);
    throw new Error("the echo target did not start");
  }
  return { kind: "echo", url, spreadUrls: [url], cpuSeconds: () => treeCpuSeconds(p.pid), stop: () => stopChild(p) };
}

export async function startTarget(root: string, prefer: "auto" | "nginx" | "echo" = "auto"): Promise<Target> {
  if (prefer === "echo") return startEchoProcess(root);
  const nginx = findTool("nginx");
  if (nginx) {
    const t = await startNginx(nginx);
    if (t) return t;
  } else {
    console.log("nginx not installed; using loadr's echo target");
  }
  return startEchoProcess(root);
}
