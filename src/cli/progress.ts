/** The live progress line on stderr (§3.1), redrawn in place with `\r`; a newline when the run ends. */
export class Progress {
  private drawn = false;
  constructor(private readonly enabled: boolean) {}

  draw(line: string): void {
    if (!this.enabled) return;
    process.stderr.write("\r" + line);
    this.drawn = true;
  }

  end(): void {
    if (this.drawn) process.stderr.write("\n");
    this.drawn = false;
  }
}
