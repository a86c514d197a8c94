/**
 * A scale-out test on loopback, through the built binary: `loadr aggregate` and N `loadr run
 * --segment i/N --join` processes standing in for pods (docs/distributed.md), and a recording
 * relay that sits between the parts and the aggregator, so a test can merge what the parts
 * really sent by itself.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerWebSocket } from "bun";
import { LOADR, requireBinary, scratch, type CliResult } from "./cli.ts";

export interface Running {
  proc: ReturnType<typeof Bun.spawn>;
  /** stderr so far (it fills as the process writes) */
  err(): string;
  done: Promise<CliResult>;
}

export function spawnLoadr(args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Running {
  requireBinary();
  const proc = Bun.spawn([LOADR, ...args], {
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...o.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), o.timeoutMs ?? 60_000);
  let err = "";
  const errText = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) err += dec.decode(chunk, { stream: true });
    return err;
  })();
  const done = Promise.all([new Response(proc.stdout as ReadableStream).text(), errText, proc.exited]).then(([stdout, stderr, code]) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
  return { proc, err: () => err, done };
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** Resolves once `cond()` holds (polled), or rejects after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

export interface ScaleOutResult {
  dir: string;
  agg: CliResult & { summary: any };
  parts: (CliResult & { summary: any })[];
}

const readJson = (path: string) => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined);

/**
 * Run `plan` as an aggregator and `parts` parts (each `--workers 1` unless `partArgs` says
 * otherwise), each writing its summary export; `joinPort` lets a relay stand between them.
 */
export async function scaleOut(o: {
  plan: string;
  files?: Record<string, string>;
  parts: number;
  aggArgs?: string[];
  partArgs?: (i: number) => string[];
  env?: Record<string, string>;
  /** where the parts dial (default: the aggregator itself) */
  joinPort?: (aggPort: number) => number;
  /** called once everything is spawned (kill a part, query the API…) */
  during?: (p: { agg: Running; parts: Running[]; aggPort: number }) => Promise<void>;
}): Promise<ScaleOutResult> {
  const dir = scratch({ ...o.files, "plan.yaml": o.plan });
  const plan = join(dir, "plan.yaml");
  const aggPort = freePort();
  const joinAt = o.joinPort?.(aggPort) ?? aggPort;
  const agg = spawnLoadr(["aggregate", plan, "--parts", String(o.parts), "--listen", `127.0.0.1:${aggPort}`, "--summary-export", join(dir, "agg.json"), ...(o.aggArgs ?? [])], { cwd: dir, env: o.env });
  const parts = Array.from({ length: o.parts }, (_, k) =>
    spawnLoadr(["run", plan, "--segment", `${k + 1}/${o.parts}`, "--join", `127.0.0.1:${joinAt}`, "--workers", "1", "--summary-export", join(dir, `part${k + 1}.json`), ...(o.partArgs?.(k + 1) ?? [])], { cwd: dir, env: o.env }),
  );
  await o.during?.({ agg, parts, aggPort });
  const [a, ...ps] = await Promise.all([agg.done, ...parts.map((p) => p.done)]);
  return {
    dir,
    agg: { ...a!, summary: readJson(join(dir, "agg.json")) },
    parts: ps.map((p, k) => ({ ...p, summary: readJson(join(dir, `part${k + 1}.json`)) })),
  };
}

/**
 * A WebSocket relay: parts dial it, it dials the aggregator, and it keeps every frame a part
 * sent (the test merges them by itself). Frames are forwarded in order, both ways. To test what
 * the protocol promises, it can send each batch twice (`duplicate`), and cut each part's first
 * connection after that many of its batches (`cutAfter`): the part must reconnect and resume.
 */
export function startRelay(
  upstream: () => number,
  o: { duplicate?: boolean; cutAfter?: number } = {},
): { port: number; fromParts: { conn: number; text: string }[]; cuts: number; stop(): void } {
  const fromParts: { conn: number; text: string }[] = [];
  let conns = 0;
  const cutSessions = new Set<string>();
  const state = { cuts: 0 };
  type Data = { up?: WebSocket; queue: string[]; conn: number; session?: string; batches: number };
  const server = Bun.serve<Data, never>({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req, s) => (s.upgrade(req, { data: { queue: [], conn: ++conns, batches: 0 } }) ? undefined : new Response("relay", { status: 400 })),
    websocket: {
      open(ws: ServerWebSocket<Data>) {
        const up = new WebSocket(`ws://127.0.0.1:${upstream()}`);
        ws.data.up = up;
        up.onopen = () => {
          for (const m of ws.data.queue) up.send(m);
          ws.data.queue = [];
        };
        up.onmessage = (e) => ws.send(e.data as string);
        up.onclose = () => ws.close();
      },
      message(ws: ServerWebSocket<Data>, m: string | Buffer) {
        const text = typeof m === "string" ? m : m.toString("utf8");
        fromParts.push({ conn: ws.data.conn, text });
        const frame = JSON.parse(text);
        if (frame.t === "hello") ws.data.session = frame.session;
        const copies = o.duplicate && frame.t === "batch" ? 2 : 1;
        for (let i = 0; i < copies; i++) {
          if (ws.data.up?.readyState === WebSocket.OPEN) ws.data.up.send(text);
          else ws.data.queue.push(text);
        }
        if (frame.t === "batch" && o.cutAfter !== undefined && ++ws.data.batches === o.cutAfter && !cutSessions.has(ws.data.session!)) {
          cutSessions.add(ws.data.session!);
          state.cuts++;
          ws.close();
          ws.data.up?.close();
        }
      },
      close(ws: ServerWebSocket<Data>) {
        ws.data.up?.close();
      },
    },
  });
  return {
    port: server.port!,
    fromParts,
    get cuts() {
      return state.cuts;
    },
    stop: () => void server.stop(true),
  };
}
