/** How JS failures are named in logs and in the `vu_exceptions` metric (reference §2.6). */

/** A JS call that threw or ran past its time limit; the message is already user-facing. */
export class JsError extends Error {}

/**
 * The `exception` tag of `vu_exceptions`: first line only; quoted literals become `…`; digit runs
 * become `N`; trimmed; at most 120 characters; empty → `exception`. Keeps the tag's cardinality
 * bounded however varied the messages are.
 */
export function normaliseException(message: string): string {
  let s = message.split("\n", 1)[0]!;
  s = s.replace(/"[^"]*"|'[^']*'|`[^`]*`/g, "…").replace(/\d+/g, "N").trim();
  if (s.length > 120) s = s.slice(0, 120);
  return s === "" ? "exception" : s;
}

/** A thrown value (maybe from another realm, maybe not an Error) as one line of text. */
export function describeThrown(e: unknown): string {
  if (e !== null && typeof e === "object" && "message" in e) {
    const name = (e as { name?: unknown }).name;
    const msg = String((e as { message: unknown }).message);
    return typeof name === "string" && name !== "Error" && name !== "" ? `${name}: ${msg}` : msg;
  }
  return String(e);
}
