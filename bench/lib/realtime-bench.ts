/**
 * Bench: the stream protocols (issue 22), against `loadr echo` in its own process on the target
 * core (dist/loadr's echo target: its /ws and TCP port).
 *   a. WebSocket messages/s: loadr, one worker, `conns` VUs each running sessions of `frames`
 *      echoed messages, alternated in rounds with bench/ws-bare.ts (Bun's WebSocket client doing
 *      the same) on the load core — target ≥ 0.8 × the bare loop (loadr writes a session's frames
 *      in one write, Bun's client each message in its own);
 *   b. TCP echo round trips/s: loadr `tcp://` (connect, write, read the first chunk, close)
 *      alternated with bench/tcp-bare.ts (a bare Bun.connect loop doing the same) — ≥ 0.8 ×;
 *   c. 10,000 WebSocket sessions held open for a minute (`session_duration`): loadr's peak RSS
 *      (target < 500 MB) and that every session lasted.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { treeCpuSeconds } from "./cpu.ts";
import { loadrFigures, runLoadrPlan } from "./loadr-run.ts";
import { measuredRun, runFigures, summarizeRuns, type RunFigures, type RunsSummary } from "./measure.ts";
import { summaryMetric } from "./parse.ts";
import { hardNofile, pinning, withNofile } from "./proc.ts";
import { mb, runSamplingRss } from "./rss.ts";
import { alternate, pairedRatio, type PairedRatio } from "./stats.ts";

export const RATIO_TARGET = 0.8;
export const HELD_RSS_TARGET_MB = 500;
const FRAMES = 100;
const PAYLOAD_BYTES = 32;
const CONNS = 50;

interface Compared {
  status: "ok" | "failed";
  error?: string;
  rounds?: number;
  /** medians over the rounds */
  loadr?: RunsSummary;
  bare?: RunsSummary;
  /** loadr ÷ bare per second, and bare's CPU per message ÷ loadr's: medians of the rounds' ratios */
  ratio?: PairedRatio;
  cpuRatio?: PairedRatio;
  ok?: boolean;
}

export interface RealtimeResult {
  seconds: number;
  connections: number;
  ws?: Compared & { frames: number; payloadBytes: number };
  tcp?: Compared;
  held?: {
    status: "ok" | "failed";
    error?: string;
    sessions: number;
    askedSessions?: number;
    heldSeconds: number;
    peakRssMB?: number;
    hwmMB?: number;
    /** sessions that ran their whole session_duration without error */
    completed?: number;
    failed?: number;
    ok?: boolean;
  };
}

/** `loadr echo` pinned to the target core; its URLs from what it prints. */
async function startEchoProcess(loadr: string, nofile: number) {
  const p = Bun.spawn(withNofile(pinning.target([loadr, "echo", "--port", "0"]), nofile), { stdout: "pipe", stderr: "pipe" });
  const reader = p.stdout.getReader();
  let out = "";
  const deadline = performance.now() + 15_000;
  while (!/\btcp (\S+)/.test(out)) {
    if (performance.now() > deadline || p.exitCode !== null) throw new Error(`loadr echo did not start: ${out.trim()}`);
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const ws = /websocket (\S+)/.exec(out)?.[1];
  const tcp = /\btcp tcp:\/\/([^:\s]+):(\d+)/.exec(out);
  if (ws === undefined || tcp === null) throw new Error(`loadr echo printed no URLs: ${out.trim()}`);
  return {
    ws,
    tcpHost: tcp[1]!,
    tcpPort: Number(tcp[2]),
    cpuSeconds: () => treeCpuSeconds(p.pid),
    stop: async () => {
      p.kill("SIGTERM");
      await p.exited;
    },
  };
}

/** The WebSocket row's plan (bench/flow-driver.ts `ws` runs it in-process for profiles). */
export const wsPlan = (url: string, seconds: number, vus = CONNS) => `
scenarios:
  s:
    executor: constant-vus
    vus: ${vus}
    duration: ${seconds}s
    flow:
      - request:
          url: ${url}
          ws:
            send: [${Array.from({ length: FRAMES }, () => `"${"x".repeat(PAYLOAD_BYTES)}"`).join(", ")}]
`;

const tcpPlan = (host: string, port: number, seconds: number) => `
scenarios:
  s:
    executor: constant-vus
    vus: ${CONNS}
    duration: ${seconds}s
    flow:
      - request:
          url: tcp://${host}:${port}
          socket: { send_text: "ping" }
`;

async function bare(argv: string[], seconds: number, count: (o: Record<string, number>) => number, targetCpu: () => number): Promise<RunFigures> {
  const m = await measuredRun([process.execPath, ...argv], { timeoutMs: (seconds + 60) * 1000, targetCpu });
  if (m.code !== 0) throw new Error(`${argv[0]} exited ${m.code}: ${m.stderr.trim().split("\n").pop() ?? ""}`);
  const o = JSON.parse(m.stdout.trim().split("\n").pop()!) as Record<string, number>;
  const n = count(o);
  return runFigures(m, n / o.seconds!, n);
}

function compared(runs: Record<"loadr" | "bare", (RunFigures | undefined)[]>, rounds: number): Compared {
  const loadr = summarizeRuns(runs.loadr);
  const b = summarizeRuns(runs.bare);
  const ratio = pairedRatio(runs.loadr.map((r) => r?.rps), runs.bare.map((r) => r?.rps));
  return {
    status: "ok",
    rounds,
    loadr,
    bare: b,
    ratio,
    cpuRatio: pairedRatio(runs.bare.map((r) => r?.cpuUsPerReq), runs.loadr.map((r) => r?.cpuUsPerReq)),
    ok: (ratio?.median ?? 0) >= RATIO_TARGET,
  };
}

export async function realtimeBench(o: { root: string; loadr: string; tmp: string; seconds: number; rounds: number; heldSessions: number; heldSeconds: number; only: { compare: boolean; held: boolean } }): Promise<RealtimeResult> {
  const res: RealtimeResult = { seconds: o.seconds, connections: CONNS };
  if (!existsSync(o.loadr)) {
    const error = "dist/loadr is missing — run `bun run build` first";
    return { ...res, ws: { status: "failed", error, frames: FRAMES, payloadBytes: PAYLOAD_BYTES }, tcp: { status: "failed", error }, held: { status: "failed", error, sessions: o.heldSessions, heldSeconds: o.heldSeconds } };
  }
  // one socket per session in each process (loadr and the echo target have their own limits)
  const sessions = Math.min(o.heldSessions, hardNofile() - 1000);
  const echo = await startEchoProcess(o.loadr, Math.max(65536, sessions + 1000));
  try {
    if (o.only.compare) {
      try {
        const runs = await alternate(["loadr", "bare"] as const, o.rounds, async (side, round) => {
          const f =
            side === "loadr"
              ? loadrFigures(await runLoadrPlan({ ...o, name: "ws", plan: wsPlan(echo.ws, o.seconds), targetCpu: echo.cpuSeconds }), "ws_msgs_received")
              : await bare([join(o.root, "bench/ws-bare.ts"), echo.ws, String(CONNS), String(FRAMES), String(o.seconds), String(PAYLOAD_BYTES)], o.seconds, (x) => x.messages!, echo.cpuSeconds);
          console.log(`  round ${round + 1} ws ${side.padEnd(5)} ${Math.round(f.rps).toLocaleString("en-US")} messages/s, ${f.cpuUsPerReq?.toFixed(2)} µs CPU/message`);
          return f;
        });
        res.ws = { ...compared(runs, o.rounds), frames: FRAMES, payloadBytes: PAYLOAD_BYTES };
      } catch (e) {
        res.ws = { status: "failed", error: (e as Error).message, frames: FRAMES, payloadBytes: PAYLOAD_BYTES };
      }
      try {
        const runs = await alternate(["loadr", "bare"] as const, o.rounds, async (side, round) => {
          const f =
            side === "loadr"
              ? loadrFigures(await runLoadrPlan({ ...o, name: "tcp", plan: tcpPlan(echo.tcpHost, echo.tcpPort, o.seconds), targetCpu: echo.cpuSeconds }), "tcp_reqs")
              : await bare([join(o.root, "bench/tcp-bare.ts"), echo.tcpHost, String(echo.tcpPort), String(CONNS), String(o.seconds), "ping"], o.seconds, (x) => x.roundTrips!, echo.cpuSeconds);
          console.log(`  round ${round + 1} tcp ${side.padEnd(5)} ${Math.round(f.rps).toLocaleString("en-US")} round trips/s, ${f.cpuUsPerReq?.toFixed(2)} µs CPU/round trip`);
          return f;
        });
        res.tcp = compared(runs, o.rounds);
      } catch (e) {
        res.tcp = { status: "failed", error: (e as Error).message };
      }
    }
    if (o.only.held) res.held = await held(o, echo.ws, sessions);
  } finally {
    await echo.stop();
  }
  return res;
}

/** c. `sessions` VUs each holding one session for `heldSeconds`; RSS sampled from /proc. */
async function held(o: { loadr: string; tmp: string; heldSessions: number; heldSeconds: number }, url: string, sessions: number): Promise<NonNullable<RealtimeResult["held"]>> {
  const base = { status: "failed" as const, sessions, heldSeconds: o.heldSeconds, ...(sessions < o.heldSessions ? { askedSessions: o.heldSessions } : {}) };
  const plan = join(o.tmp, "ws-held.yaml");
  const out = join(o.tmp, "ws-held-summary.json");
  writeFileSync(
    plan,
    `
scenarios:
  hold:
    executor: per-vu-iterations
    vus: ${sessions}
    iterations: 1
    max_duration: ${o.heldSeconds + 120}s
    flow:
      - request:
          name: held
          url: ${url}
          timeout: ${o.heldSeconds + 60}s
          ws: { send: ["hello"], receive_until: "never", session_duration: ${o.heldSeconds}s }
`,
  );
  console.log(`  loadr       ${sessions} WebSocket sessions held ${o.heldSeconds} s${sessions < o.heldSessions ? ` (of ${o.heldSessions} asked: open-file hard limit)` : ""}`);
  const argv = withNofile(pinning.load([o.loadr, "run", plan, "--workers", "1", "-q", "--summary-export", out]), Math.max(65536, sessions + 1000));
  const r = await runSamplingRss(argv, (o.heldSeconds + 180) * 1000, 200);
  if (r.timedOut) return { ...base, error: "loadr did not finish in time (killed)" };
  if (r.code !== 0 && r.code !== 99) return { ...base, error: `loadr exited ${r.code}: ${r.stderr.trim().split("\n").pop() ?? ""}` };
  const summary = JSON.parse(readFileSync(out, "utf8"));
  const failed = Math.round((summaryMetric(summary, "http_req_failed")?.agg.rate ?? 0) * sessions);
  const durations = summaryMetric(summary, "ws_session_duration")?.agg as { count?: number; min?: number } | undefined;
  const completed = (durations?.min ?? 0) >= o.heldSeconds * 1000 - 50 ? (durations?.count ?? 0) - failed : undefined;
  return {
    ...base,
    status: "ok",
    peakRssMB: mb(r.peakRss),
    hwmMB: mb(r.hwm),
    completed,
    failed,
    ok: Math.max(r.peakRss, r.hwm) < HELD_RSS_TARGET_MB * 2 ** 20 && failed === 0 && completed === sessions,
  };
}

export function realtimeTable(r: RealtimeResult): string {
  const n = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? "—" : d === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(d));
  const mark = (ok: boolean | undefined) => (ok ? "✓" : "✗");
  const lines = [`| figure (${r.connections} connections, ${r.seconds} s per run, one worker, load core) | loadr | CPU µs each | bare Bun loop | CPU µs each | loadr ÷ bare (per second) | (CPU each, bare's ÷ loadr's) | target |`, "|---|---:|---:|---:|---:|---:|---:|---|"];
  const row = (what: string, c: Compared | undefined) => {
    if (c === undefined) return;
    if (c.status !== "ok") return lines.push(`| ${what} | failed: ${c.error} | | | | | | |`);
    const contended = (c.loadr?.contendedRuns ?? 0) + (c.bare?.contendedRuns ?? 0);
    const note = contended ? ` (⚠ ${contended} of ${(c.loadr?.okRuns ?? 0) + (c.bare?.okRuns ?? 0)} runs contended)` : "";
    lines.push(`| ${what}, medians of ${c.rounds} alternated rounds${note} | ${n(c.loadr?.rps)} | ${n(c.loadr?.cpuUsPerReq, 2)} | ${n(c.bare?.rps)} | ${n(c.bare?.cpuUsPerReq, 2)} | ${n(c.ratio?.median, 2)} | ${n(c.cpuRatio?.median, 2)} | ≥ ${RATIO_TARGET} ${mark(c.ok)} |`);
  };
  row(`WebSocket messages/s (sessions of ${r.ws?.frames ?? FRAMES} echoed ${r.ws?.payloadBytes ?? PAYLOAD_BYTES}-byte messages)`, r.ws);
  row("TCP echo round trips/s (connect, write, read, close)", r.tcp);
  const h = r.held;
  if (h !== undefined) {
    lines.push("", "| held WebSocket sessions | sessions | held | peak RSS | VmHWM | completed / failed | target |", "|---|---:|---:|---:|---:|---:|---|");
    if (h.status === "ok")
      lines.push(`| loadr, one worker, against \`loadr echo\` in its own process${h.askedSessions ? ` (of ${h.askedSessions} asked: open-file limit)` : ""} | ${n(h.sessions)} | ${h.heldSeconds} s | ${n(h.peakRssMB, 1)} MB | ${n(h.hwmMB, 1)} MB | ${n(h.completed)} / ${n(h.failed)} | < ${HELD_RSS_TARGET_MB} MB, all complete ${mark(h.ok)} |`);
    else lines.push(`| loadr | failed: ${h.error} | | | | | |`);
  }
  return lines.join("\n");
}
