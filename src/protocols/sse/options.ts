/** The `sse:` block as the SSE handler gets it: when a stream's read stops, and the cap on one event. */
import { DEFAULT_MAX_MESSAGE_BYTES } from "../socket/options.ts";

export interface SseCallOptions {
  /** stop after this many events */
  events?: number;
  /** stop at an event whose data contains this (the reference's rule, not an event-type match) */
  until?: string;
  /** stop after this long (within the request timeout): a normal end */
  durationMs?: number;
  /** an event (or a line) larger than this fails the stream (`message_too_large`) */
  maxBytes: number;
}

export const DEFAULT_SSE_OPTIONS: SseCallOptions = { maxBytes: DEFAULT_MAX_MESSAGE_BYTES };
