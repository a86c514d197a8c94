/** The reference's distributed commands and flag (`controller`, `agent --join`, `run --controller`), refused with where to go instead (docs/compat.md). */
export const CONTROLLER_REFUSAL =
  "loadr has no controller or agents: run `loadr aggregate plan.yaml --parts N --listen host:port` and start each part with `loadr run plan.yaml --segment i/N --join host:port` (docs/distributed.md)";

/** Commands of the reference that loadr does not have, by name. */
export const REFUSED_COMMANDS: Readonly<Record<string, string>> = { controller: CONTROLLER_REFUSAL, agent: CONTROLLER_REFUSAL };
