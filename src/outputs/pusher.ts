/**
 * The periodic push shared by remote-write, InfluxDB and OTLP: the latest snapshot every
 * `interval` plus the final one at finish. Never more than one request in flight — when a receiver
 * is slower than the interval the skipped pushes are counted, the load is never held up.
 */
import type { Snapshot } from "../metrics/index.ts";

/** How long one push may take before it is given up (and reported). */
export const PUSH_TIMEOUT_MS = 10_000;

export class Pusher {
  private latest: Snapshot | undefined;
  private pushed: Snapshot | undefined;
  private inflight: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  skipped = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly push: (s: Snapshot) => Promise<void>,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  offer(s: Snapshot): void {
    this.latest = s;
  }

  private tick(): void {
    const s = this.latest;
    if (s === undefined || s === this.pushed) return;
    if (this.inflight) {
      this.skipped++;
      return;
    }
    this.pushed = s;
    this.inflight = this.push(s)
      .catch((e: Error) => this.onError(e.message))
      .finally(() => (this.inflight = undefined));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Stop the timer, wait for a push in flight, then push the final snapshot (errors thrown). */
  async finish(final: Snapshot): Promise<void> {
    clearInterval(this.timer);
    await this.inflight;
    await this.push(final);
  }
}

/** POST with a timeout; a non-2xx answer is an error carrying the receiver's first words. */
export async function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
  } catch (e) {
    throw new Error(`cannot reach ${url}: ${reason(e)}`);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => "")).trim().split("\n")[0]!.slice(0, 200);
    throw new Error(`${url} answered ${res.status}${text ? `: ${text}` : ""}`);
  }
  await res.arrayBuffer().catch(() => undefined);
}

function reason(e: unknown): string {
  const err = e as { code?: string; name?: string; message?: string };
  if (err.name === "TimeoutError") return `no answer within ${PUSH_TIMEOUT_MS / 1000}s`;
  if (err.code === "ConnectionRefused" || err.code === "ECONNREFUSED") return "connection refused (is the receiver running?)";
  return err.code ?? err.message ?? String(e);
}
