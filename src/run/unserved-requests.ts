/**
 * Run start's side of the one rule for requests no protocol handler serves
 * (src/plan/protocol-check.ts): once the plan's plugins are loaded the handlers are known, so a
 * plan with such a request is refused here, before any service, output or worker starts, with
 * one line — where (file:line:column when the plan came from a file), the step's field, and the
 * handlers available. A protocol plugin that declares a built-in name or scheme is one warning.
 */
import { unservedRequests } from "../plan/protocol-check.ts";
import { runCatalogue, type PluginProtocolInfo } from "../protocols/builtins.ts";
import { RunSetupError } from "./errors.ts";
import { planPlace, type PreparedRun } from "./prepare.ts";

export function refuseUnservedRequests(run: PreparedRun, plugins: readonly PluginProtocolInfo[], warn: (line: string) => void): void {
  const { catalogue, warnings } = runCatalogue(plugins);
  for (const w of warnings) warn(w);
  const first = unservedRequests(run.plan, catalogue, run.baseDir)[0];
  if (first === undefined) return;
  throw new RunSetupError(`${planPlace(run, first.path)}: ${first.message}`);
}
