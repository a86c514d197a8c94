/**
 * The hook world of wit/0.2/loadr.wit as JavaScript values (jco's lifting: records are objects
 * with camelCase fields, `option` is a value or undefined, variants are `{tag, val}`), and the
 * plan's names for its phases.
 */

/** The phases a hook component may export, by their WIT function names. */
export type HookPhaseName = "on-request" | "on-response" | "on-log";
export const HOOK_PHASES: readonly HookPhaseName[] = ["on-request", "on-response", "on-log"];

/** What the plan's `phase:` accepts: the WIT names, and Loom's names for the same places. */
export const PHASE_ALIASES: Readonly<Record<string, HookPhaseName>> = {
  "on-request": "on-request",
  "on-response": "on-response",
  "on-log": "on-log",
  on_request_headers: "on-request",
  on_request_body: "on-request",
  on_response_headers: "on-response",
  on_response_body: "on-response",
  on_log: "on-log",
};

/** The exported interface of each phase. */
export const PHASE_INTERFACE: Readonly<Record<HookPhaseName, string>> = {
  "on-request": "loadr:plugin/request-hook@0.2.0",
  "on-response": "loadr:plugin/response-hook@0.2.0",
  "on-log": "loadr:plugin/log-hook@0.2.0",
};

export type WitHeaders = [string, string][];

export interface WitRequest {
  name: string;
  protocol: string;
  method: string;
  url: string;
  headers: WitHeaders;
  body: Uint8Array;
}

export interface WitRequestChange {
  method?: string;
  url?: string;
  setHeaders: WitHeaders;
  removeHeaders: string[];
  body?: Uint8Array;
}

export type WitRequestAction =
  | { tag: "proceed" }
  | { tag: "change"; val: WitRequestChange }
  | { tag: "respond"; val: { status: number; headers: WitHeaders; body: Uint8Array } };

export interface WitResponse {
  status: number;
  headers: WitHeaders;
  body: Uint8Array;
  durationMs: number;
  error?: string;
  synthetic: boolean;
}

export interface WitResponseAction {
  fail?: string;
  setVars: WitHeaders;
}

export interface WitExchange {
  name: string;
  protocol: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  waitingMs: number;
  bytesSent: bigint;
  bytesReceived: bigint;
  failed: boolean;
  error?: string;
  synthetic: boolean;
}
