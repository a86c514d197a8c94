/**
 * The echo target's configurable event stream, `GET /sse`: by default as the reference's example
 * harness streams — 5 × `event: update` / `data: {"status":"ok","seq":i}`, then `event: done` /
 * `data: {"status":"done"}`, and the stream closes. Query parameters:
 *
 * - `count` (default 5, at most 100000): the `update` events;
 * - `interval` (ms, default 0, at most 60000): the pause before each event;
 * - `end`: `done` (default: the `done` event, then close), `close` (close without it), or `hold`
 *   (keep the stream open, sending nothing more, until the client goes);
 * - `retry` (ms): a `retry:` field first.
 *
 * `/sse?count=0&end=hold` is a stream that never sends an event.
 */

const enc = new TextEncoder();
const MAX_COUNT = 100_000;
const MAX_INTERVAL_MS = 60_000;

function bounded(v: string | null, dflt: number, max: number): number {
  if (v === null || !/^\d{1,9}$/.test(v)) return dflt;
  return Math.min(Number(v), max);
}

export function sseRoute(req: Request): Response {
  const q = new URL(req.url).searchParams;
  const count = bounded(q.get("count"), 5, MAX_COUNT);
  const interval = bounded(q.get("interval"), 0, MAX_INTERVAL_MS);
  const end = q.get("end") ?? "done";
  const retry = q.get("retry");
  let gone = false;
  const stream = new ReadableStream({
    type: "direct",
    async pull(controller) {
      try {
        if (retry !== null && /^\d+$/.test(retry)) controller.write(enc.encode(`retry: ${retry}\n\n`));
        for (let i = 0; i < count && !gone; i++) {
          if (interval > 0) await Bun.sleep(interval);
          controller.write(enc.encode(`event: update\ndata: {"status":"ok","seq":${i}}\n\n`));
          await controller.flush();
        }
        if (end === "hold") {
          // a comment, so the answer's head goes out (Bun sends it with the first bytes)
          controller.write(enc.encode(": holding the stream open\n\n"));
          await controller.flush();
          // the client closing the stream cancels it; the server stopping closes the connection
          while (!gone) await Bun.sleep(1000);
          return;
        }
        if (end !== "close") controller.write(enc.encode(`event: done\ndata: {"status":"done"}\n\n`));
        controller.close();
      } catch {
        // the client went away
      }
    },
    cancel() {
      gone = true;
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}
