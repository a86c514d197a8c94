/**
 * The hook world of wit/0.2/loadr.wit as JavaScript values (jco's lifting: records are objects
 * with camelCase fields, `option` is a value or undefined, variants are `{tag, val}`), and the
 * plan's names for its phases.
 */

import { HOOK_PHASE_ALIASES, type HookPhase } from "../../../plan/schema/blocks.ts";

/** The phases a hook component may export, by their WIT function names. */
export type HookPhaseName = HookPhase;
export const HOOK_PHASES: readonly HookPhaseName[] = ["on-request", "on-response", "on-log"];

/** What the plan's `phase:` accepts (the plan schema's list): the WIT names, and Loom's for the same places. */
export const PHASE_ALIASES: Readonly<Record<string, HookPhaseName>> = HOOK_PHASE_ALIASES;

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
