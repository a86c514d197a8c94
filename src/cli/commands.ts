/**
 * loadr's commands: each module is loaded on demand (so that `--version` and `--help` start in
 * milliseconds), with its help text for `loadr completions` (src/cli/completions.ts).
 */
type Command = { main(args: string[]): Promise<number> };

export interface CommandEntry {
  summary: string;
  load(): Promise<Command>;
  /** the command's `--help` text: the flags completions offer */
  help(): Promise<string>;
}

const control = (cmd: "status" | "pause" | "resume" | "stop" | "scale", summary: string): CommandEntry => ({
  summary,
  load: () => import("./control.ts").then((m) => m.controlCommand(cmd)),
  help: () => import("./control.ts").then((m) => m.controlHelp(cmd)),
});

export const COMMANDS: Record<string, CommandEntry> = {
  run: { summary: "run a test plan", load: () => import("./run.ts"), help: () => import("./run.ts").then((m) => m.HELP) },
  aggregate: { summary: "aggregate a scale-out test: its parts join, one summary and verdict", load: () => import("./aggregate.ts"), help: () => import("./aggregate.ts").then((m) => m.HELP) },
  k8s: { summary: "render the Kubernetes objects of a scale-out test (k8s render plan.yaml --parts N)", load: () => import("./k8s.ts"), help: () => import("./k8s.ts").then((m) => m.HELP) },
  validate: { summary: "check test plans and print diagnostics with line and column", load: () => import("./validate.ts"), help: () => import("./validate.ts").then((m) => m.HELP) },
  echo: { summary: "serve the built-in echo target (until Ctrl-C)", load: () => import("./echo.ts"), help: () => import("./echo.ts").then((m) => m.HELP) },
  report: { summary: "render a summary JSON as a self-contained HTML report (or JUnit)", load: () => import("./report.ts"), help: () => import("./report.ts").then((m) => m.HELP) },
  schema: { summary: "print the JSON Schema of the plan format", load: () => import("./schema.ts"), help: () => import("./schema.ts").then((m) => m.HELP) },
  plugin: { summary: "install, list, enable, pack and mirror plugins", load: () => import("./plugin.ts"), help: () => import("./plugin.ts").then((m) => m.HELP) },
  completions: { summary: "print a shell completion script (bash, zsh, fish)", load: () => import("./completions.ts"), help: () => import("./completions.ts").then((m) => m.HELP) },
  version: { summary: "print version and build details", load: () => import("./version.ts"), help: () => import("./version.ts").then((m) => m.HELP) },
  status: control("status", "show a running test's state (control API, `run --api`)"),
  pause: control("pause", "pause a running test (control API)"),
  resume: control("resume", "resume a paused test (control API)"),
  stop: control("stop", "stop a running test gracefully (control API)"),
  scale: control("scale", "set an externally-controlled scenario's VUs (control API)"),
};
