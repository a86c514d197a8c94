/**
 * The progress of a run on stderr (reference §3.1). On a terminal (or with `--progress`) one line
 * redrawn in place with `\r` each second, ended with a newline. Without a terminal — a CI log — a
 * plain line every `--progress-interval` (default 10 s), each ending in a newline, so a log shows
 * the run going. None with `-q`.
 */
/** lines come on the once-a-second tick nearest to when they are due, not a tick late */
const TICK_SLACK_MS = 500;

export type ProgressMode = "redraw" | "lines" | "off";

export class Progress {
  private drawn = false;
  /** lines mode: when the next line is due */
  private nextAt = 0;

  constructor(
    private readonly mode: ProgressMode,
    /** lines mode: the least time between two lines */
    private readonly intervalMs = 10_000,
    private readonly write: (text: string) => void = (t) => void process.stderr.write(t),
    private readonly now: () => number = Date.now,
  ) {}

  /** The load starts: lines mode counts its first interval from here. */
  start(): void {
    this.nextAt = this.now() + this.intervalMs;
  }

  draw(line: string): void {
    if (this.mode === "redraw") {
      this.write("\r" + line);
      this.drawn = true;
    } else if (this.mode === "lines" && line !== "" && this.now() >= this.nextAt - TICK_SLACK_MS) {
      this.write(line.trimEnd() + "\n");
      while (this.nextAt <= this.now() + TICK_SLACK_MS) this.nextAt += this.intervalMs;
    }
  }

  end(): void {
    if (this.drawn) this.write("\n");
    this.drawn = false;
  }
}
