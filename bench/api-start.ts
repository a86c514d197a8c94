/**
 * What starting a run costs through the programmatic API (src/api.ts) against `loadr run`:
 * the time from the start to the first request reaching a loopback target, for a plan of one
 * request (1 VU, 1 iteration, 1 worker), in alternated rounds, medians printed.
 *
 *   bun bench/api-start.ts [rounds=7]       # needs dist/loadr (bun run build)
 *
 *  - cli:       spawn `dist/loadr run -q` → first request (process start, plan, worker, request)
 *  - api-proc:  spawn `bun` on a script that imports "loadr" from the sources and calls run()
 *               → first request (the same, plus loading the TypeScript sources)
 *  - api-call:  run() in this process, the module already loaded → first request (what each
 *               further run of a test file costs)
 * Every time is read on this process's clock (the target runs here).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { run } from "../src/api.ts";

const rounds = Number(process.argv[2] ?? 7);
const root = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "loadr-api-start-"));

let firstHit: (() => void) | undefined;
const target = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch() {
    firstHit?.();
    firstHit = undefined;
    return new Response("ok");
  },
});
const url = `http://127.0.0.1:${target.port}/`;
const plan = { scenarios: { s: { executor: "per-vu-iterations", vus: 1, iterations: 1, flow: [{ request: { url } }] } } };
writeFileSync(join(dir, "plan.yaml"), JSON.stringify(plan));
writeFileSync(
  join(dir, "api.ts"),
  `import { run } from ${JSON.stringify(join(root, "src/api.ts"))};\nawait run(${JSON.stringify(plan)}, { workers: 1 });\n`,
);

/** ms from calling `start` to the target's first request; the whole thing must end too. */
async function timeToFirstRequest(start: () => Promise<unknown>): Promise<number> {
  const hit = new Promise<number>((r) => (firstHit = () => r(performance.now())));
  const t0 = performance.now();
  const done = start();
  const t1 = await hit;
  await done;
  return t1 - t0;
}

async function spawn(cmd: string[]): Promise<void> {
  const p = Bun.spawn(cmd, { cwd: dir, stdout: "ignore", stderr: "inherit" });
  if ((await p.exited) !== 0) throw new Error(`${cmd.join(" ")} failed`);
}

const ways: Record<string, () => Promise<unknown>> = {
  cli: () => spawn([join(root, "dist/loadr"), "run", "-q", "--workers", "1", "plan.yaml"]),
  "api-proc": () => spawn([process.execPath, "api.ts"]),
  "api-call": () => run(plan, { workers: 1 }),
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
await run(plan, { workers: 1 }); // the api-call rows measure a loaded module
for (let i = 0; i < rounds; i++) {
  const order = i % 2 === 0 ? Object.keys(ways) : Object.keys(ways).reverse();
  for (const w of order) times[w]!.push(await timeToFirstRequest(ways[w]!));
}
target.stop(true);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
for (const [w, xs] of Object.entries(times))
  console.log(`${w.padEnd(9)} start → first request: median ${median(xs).toFixed(1)} ms (${xs.map((x) => x.toFixed(0)).join(", ")})`);
