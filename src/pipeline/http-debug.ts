/**
 * `loadr run --http-debug` (k6's flag): every request and its response, heads only, or with
 * bodies for `--http-debug=full`. It is an after-response hook (hooks.ts), registered by the
 * worker set-up only when the flag is given: without it no step compiles with hooks, so a run
 * without the flag pays nothing for it.
 *
 * The request shown is the one the pipeline hands the handler (method, URL, the plan's headers,
 * body); the HTTP client adds Host, User-Agent, Accept-Encoding, Content-Length and the cookie
 * jar's Cookie on the wire.
 */
import { lossyText } from "../protocols/lossy-text.ts";
import type { AfterResponseHook } from "./hooks.ts";

export type HttpDebug = "headers" | "full";

/** a body longer than this is cut, with how much was left out */
const BODY_LIMIT = 4096;

/** Runs first among after-response hooks: a failing hook before it would stop the phase. */
const FIRST = 1_000_000;

export function httpDebugHook<V>(mode: HttpDebug, write: (text: string) => void): AfterResponseHook<V> {
  return {
    name: "http-debug",
    phase: "after-response",
    priority: FIRST,
    run(x) {
      const req = x.request;
      const res = x.response;
      let out = `http-debug: request \`${x.name}\` (${x.protocol})\n> ${req.method} ${req.url}\n`;
      for (const [k, v] of req.headers) out += `> ${k}: ${v}\n`;
      if (mode === "full" && req.body !== undefined && req.body.length > 0) out += body(req.body, ">");
      if (res.error !== undefined) out += `< no response: ${res.error}${res.errorKind ? ` (error_kind ${res.errorKind})` : ""}\n`;
      else {
        out += `< ${res.protocolVersion} ${res.status} ${res.statusText}${x.synthetic ? " (answered by a hook, not sent)" : ""} — ${res.timings.duration.toFixed(2)}ms\n`;
        for (const [k, v] of res.headers) out += `< ${k}: ${v}\n`;
        if (mode === "full" && res.body.length > 0) out += body(res.body, "<");
      }
      write(out.trimEnd());
    },
  };
}

function body(bytes: Uint8Array, mark: string): string {
  const shown = bytes.length > BODY_LIMIT ? bytes.subarray(0, BODY_LIMIT) : bytes;
  const more = bytes.length - shown.length;
  const text = lossyText(shown).replace(/\n/g, `\n${mark} `);
  return `${mark}\n${mark} ${text}\n${more > 0 ? `${mark} … ${more} more bytes\n` : ""}`;
}
