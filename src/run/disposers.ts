/**
 * The run session's one disposer stack: every part that starts something registers how to undo
 * it right after starting it; close() undoes them once, newest first, whatever ended the run
 * (success, a failed threshold, an error, an abort, a signal). A disposer that fails does not stop
 * the others.
 */
export class Disposers {
  private readonly stack: (() => void | Promise<void>)[] = [];
  private closing: Promise<void> | undefined;

  defer(dispose: () => void | Promise<void>): void {
    if (this.closing) throw new Error("the run session is already closed");
    this.stack.push(dispose);
  }

  /** Undo everything, newest first; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (let d = this.stack.pop(); d !== undefined; d = this.stack.pop()) {
        try {
          await d();
        } catch {
          // teardown goes on: the rest must still be released
        }
      }
    })();
    return this.closing;
  }
}
