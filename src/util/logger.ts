/**
 * Run-time log lines on stderr, with levels, and a per-message budget so a failing extractor on
 * every request of a 100k req/s run prints a handful of lines, not a flood.
 */
export type LogLevel = "error" | "warn" | "info" | "debug";
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const REPEATS = 5;

export class Logger {
  private readonly seen = new Map<string, number>();
  constructor(
    readonly level: LogLevel,
    private readonly write: (line: string) => void = (l) => process.stderr.write(l + "\n"),
  ) {}

  enabled(level: LogLevel): boolean {
    return RANK[level] <= RANK[this.level];
  }

  log(level: LogLevel, msg: string): void {
    if (!this.enabled(level)) return;
    const n = (this.seen.get(msg) ?? 0) + 1;
    this.seen.set(msg, n);
    if (n < REPEATS) this.write(`${level}: ${msg}`);
    else if (n === REPEATS) this.write(`${level}: ${msg} (repeated; further occurrences not shown)`);
  }

  error(msg: string): void {
    this.log("error", msg);
  }
  warn(msg: string): void {
    this.log("warn", msg);
  }
  info(msg: string): void {
    this.log("info", msg);
  }
  debug(msg: string): void {
    this.log("debug", msg);
  }
}
