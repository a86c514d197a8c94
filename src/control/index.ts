/** The control API's public surface: the mountable handler, the `--api` server, the CLI client. */
export { controlHandler, API_PREFIX, type Controllable } from "./handler.ts";
export { startControlServer, type ControlServer } from "./server.ts";
export { controlRequest, ControlClientError } from "./client.ts";
export { DEFAULT_API_ADDRESS, parseAddress } from "./address.ts";
export { ControlError, type RunState, type RunStatus, type ScenarioStatus } from "./status.ts";
