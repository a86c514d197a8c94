/** Plan features the schema accepts but this build cannot run: `loadr run` names them before any load. */
export class UnsupportedStepError extends Error {}
