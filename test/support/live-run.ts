/** A `loadr run --ui` process for the dashboard tests: waits for the dashboard URL on stderr. */
import type { Subprocess } from "bun";
import { LOADR, requireBinary, spawnPiped } from "./cli.ts";

export interface LiveRun {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  stderr(): string;
  /** wait until stderr contains `text` */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

export async function startLiveRun(args: string[], cwd: string): Promise<LiveRun> {
  requireBinary();
  const proc = spawnPiped([LOADR, ...args], cwd);
  let err = "";
  void (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) err += dec.decode(chunk);
  })();
  void new Response(proc.stdout).text();
  const waitFor = async (text: string, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (!err.includes(text)) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`waited for \`${text}\`; stderr: ${err}`);
      await Bun.sleep(50);
    }
  };
  await waitFor("→ live dashboard at ");
  const url = /→ live dashboard at (\S+)/.exec(err)![1]!;
  return { proc, url, stderr: () => err, waitFor };
}
