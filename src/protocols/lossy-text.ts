/**
 * Response bytes as text, the way the reference reads a body (Rust's String::from_utf8_lossy):
 * invalid sequences become U+FFFD, so a binary or Latin-1 body never throws, and a BOM stays as
 * U+FEFF (so, as with serde_json, a BOM-prefixed body is then not JSON). Buffer#toString("utf8")
 * gives the same text, which http/exchange.ts uses on socket chunks it has not sliced.
 *
 * One decoder for the whole process: TextDecoder is stateless for non-streaming decode(), and
 * constructing one per response would be the most expensive part of a small response.
 */
const UTF8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

export function lossyText(bytes: Uint8Array): string {
  return bytes.length === 0 ? "" : UTF8.decode(bytes);
}
