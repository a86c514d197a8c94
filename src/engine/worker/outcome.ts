/**
 * What a step or an iteration tells the loop that runs it (reference §2.2 "Outcomes").
 * Plain numbers: they are returned on every step of every iteration.
 */
export const enum Outcome {
  Continue = 0,
  AbortIteration = 1,
  AbortScenario = 2,
  AbortTest = 3,
  StopVu = 4,
  /** the scenario was hard-cancelled (graceful period over): the iteration is dropped, no metrics */
  Cancelled = 5,
}

export type OnFailure = "continue" | "abort_iteration" | "abort_scenario" | "abort_test";

export function outcomeOf(onFailure: OnFailure): Outcome {
  switch (onFailure) {
    case "abort_iteration":
      return Outcome.AbortIteration;
    case "abort_scenario":
      return Outcome.AbortScenario;
    case "abort_test":
      return Outcome.AbortTest;
    default:
      return Outcome.Continue;
  }
}
