/**
 * The text/event-stream format, read incrementally from the body's bytes as they arrive: lines
 * end with LF, CRLF or CR (a CR at the end of one chunk and an LF at the start of the next are one
 * line end); `event:`, `data:` (several lines joined with `\n`), `id:`, `retry:` fields, one space
 * after the colon dropped, `:` comments skipped; a blank line dispatches the event when any field
 * was seen (as the reference's parser: an `event:` line alone makes an event with empty data). The
 * type defaults to `message`. A line or an event's data longer than the cap stops the parser.
 */

export interface SseEvent {
  type: string;
  data: string;
  id: string | null;
}

export class SseParser {
  /** set when a line or an event passed the cap: nothing more is parsed */
  tooLarge = false;
  /** the last `retry:` value seen, in ms */
  retry: number | null = null;
  private readonly decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  private line = "";
  private skipLf = false;
  private type: string | null = null;
  private data: string[] = [];
  private dataChars = 0;
  private id: string | null = null;
  private fields = false;

  constructor(
    private readonly maxChars: number,
    /** an event was dispatched; return false to stop parsing (the stream's read is over) */
    private readonly onEvent: (e: SseEvent) => boolean,
  ) {}

  /** Parses a body chunk; false when parsing stopped (the cap, or onEvent said so). */
  push(bytes: Uint8Array): boolean {
    const text = this.decoder.decode(bytes, { stream: true });
    let from = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 10 && this.skipLf && i === from) {
        // the LF of a CRLF split across chunks
        this.skipLf = false;
        from = i + 1;
        continue;
      }
      const line = this.line.length > 0 ? this.line + text.slice(from, i) : text.slice(from, i);
      this.line = "";
      if (c === 13) {
        if (i + 1 < n) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else this.skipLf = true;
      } else this.skipLf = false;
      from = i + 1;
      if (!this.feedLine(line)) return false;
    }
    if (from < n) {
      this.skipLf = false;
      this.line += text.slice(from);
      if (this.line.length > this.maxChars) return this.big();
    }
    return true;
  }

  private feedLine(line: string): boolean {
    if (line.length === 0) return this.dispatch();
    if (line.charCodeAt(0) === 58) return true; // ':' comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    this.fields = true;
    switch (field) {
      case "event":
        this.type = value;
        break;
      case "data":
        this.data.push(value);
        this.dataChars += value.length + 1;
        if (this.dataChars > this.maxChars) return this.big();
        break;
      case "id":
        if (!value.includes("\0")) this.id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return true;
  }

  private dispatch(): boolean {
    if (!this.fields) return true;
    const e: SseEvent = { type: this.type ?? "message", data: this.data.join("\n"), id: this.id };
    this.type = null;
    this.data = [];
    this.dataChars = 0;
    this.id = null;
    this.fields = false;
    return this.onEvent(e);
  }

  private big(): false {
    this.tooLarge = true;
    return false;
  }
}
