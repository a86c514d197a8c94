/** How the console, the report and the dashboard word a row of the failure table (breakdown.ts). */
import type { FailureRow } from "./breakdown.ts";

/** What to look at first, per kind of failure. */
const HINTS: Record<string, string> = {
  connection_refused: "is the target running?",
  dns: "is the host name right?",
  timeout: "the target answered too slowly: is it overloaded, or is the request `timeout` too short?",
  tls: "check the certificate (a test certificate needs defaults.http.tls.insecure_skip_verify: true)",
  connection_reset: "the target closed the connection: is it overloaded or restarting?",
  plugin_crash: "the plugin's process crashed (see its log lines)",
  invalid_request: "the protocol handler could not send this request as the plan builds it",
  body_too_large: "raise max_body_size (defaults.http or the request's) if the body is needed, or set discard_response_bodies if it is not",
  too_many_open_files: "raise the open-file limit (`ulimit -n`) or run fewer VUs",
  exec_exception: "the scenario's JS `exec` function threw (counted in vu_exceptions too)",
  handshake: "the server did not accept the WebSocket upgrade: is the URL a WebSocket endpoint, are the headers and subprotocols what it expects?",
  protocol: "the server sent something its protocol does not allow (see the message)",
  message_too_large: "raise the block's `max_message_size` if such messages are expected",
  no_events: "the stream sent no event: is the URL an event stream, does it need headers, or is `sse.duration` too short?",
  graphql_errors: "the GraphQL server answered errors and no data (see extras.errors in a check)",
};

/** `connection_refused` / `status 404` … the row's kind as a label. */
export function failureLabel(r: Pick<FailureRow, "kind" | "status">): string {
  return r.kind === "status" ? `status ${r.status}` : r.kind;
}

/** The message and hint of a row, e.g. `error trying to connect: connection refused (…) — is the target running?`. */
export function failureDetail(r: FailureRow): string {
  const message =
    r.kind === "status"
      ? (r.message ?? "").replace(/^\d+\s*/, "") || "HTTP error status"
      : r.kind === "extraction_or_assertion"
        ? "an extraction or assertion failed (one extra failed sample on its request)"
        : (r.message ?? "no message recorded");
  const hint = HINTS[r.kind];
  return hint === undefined ? message : `${message} — ${hint}`;
}
