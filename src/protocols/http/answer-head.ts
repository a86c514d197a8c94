/**
 * The head of an HTTP/1.x answer read off a raw link (sse/stream.ts, ws/session.ts): the bytes
 * gathered until the blank line, then the status line and the header lines split out. Each
 * caller words its own errors (an SSE stream's answer, a WebSocket handshake's).
 */

/** What the head gatherer holds: the head's text and what came after it, or a head past its bound. */
export type HeadRead = { text: string; rest: Buffer } | "too large" | undefined;

/** Gathers an answer's head across reads, up to `max` bytes. */
export class HeadGatherer {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly max: number) {}

  /** Feeds `d`: the head (without its blank line) and the bytes after it once the blank line came; "too large" past `max`; else undefined. */
  push(d: Buffer): HeadRead {
    this.parts.push(d);
    this.bytes += d.length;
    const buf = this.parts.length === 1 ? d : Buffer.concat(this.parts, this.bytes);
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (this.bytes > this.max) return "too large";
      if (this.parts.length > 1) this.parts = [buf];
      return undefined;
    }
    this.parts = [];
    return { text: buf.toString("latin1", 0, end), rest: buf.subarray(end + 4) };
  }
}

export interface AnswerHead {
  /** 0 when the status line is not HTTP/1.x */
  status: number;
  statusText: string;
  /** in wire order, up to a malformed line */
  headers: [string, string][];
  /** the first line that is not HTTP (its first 60 characters), and whether it is the status line */
  malformed?: { line: string; statusLine: boolean };
}

/** Splits a head (as HeadGatherer gives it) into status and headers, values trimmed. */
export function parseAnswerHead(text: string): AnswerHead {
  const lines = text.split("\r\n");
  const head: AnswerHead = { status: 0, statusText: "", headers: [] };
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]!);
  if (m === null) {
    head.malformed = { line: lines[0]!.slice(0, 60), statusLine: true };
    return head;
  }
  head.status = Number(m[1]);
  head.statusText = m[2] ?? "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const c = line.indexOf(":");
    if (c <= 0) {
      head.malformed = { line: line.slice(0, 60), statusLine: false };
      return head;
    }
    head.headers.push([line.slice(0, c), line.slice(c + 1).trim()]);
  }
  return head;
}
