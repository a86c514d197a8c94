/**
 * A run that cannot start — a plan the engine cannot run, a plugin, output or service that fails
 * to load or start, workers that fail to compile the flows — ends before any load with one line
 * saying what and what to do. The CLI prints it as `error: <message>` (exit 1); the programmatic
 * API rejects with it.
 */
export class RunSetupError extends Error {
  override name = "RunSetupError";
}
