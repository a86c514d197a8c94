/** The CLI side of the control API: one request to a running `loadr run --api`. */
import { addressUrl, parseAddress } from "./address.ts";

export class ControlClientError extends Error {}

/** Send one request; returns the JSON answer of a 2xx, throws ControlClientError with the server's `error` otherwise. */
export async function controlRequest(address: string, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  let base: string;
  try {
    base = addressUrl(parseAddress(address));
  } catch (e) {
    throw new ControlClientError(`--address: ${(e as Error).message}`);
  }
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new ControlClientError(
      `no loadr run answers at ${address} (${(e as Error).message}); start one with \`loadr run plan.yaml --api ${address}\` or pass --address / LOADR_API`,
    );
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ControlClientError(`${address} answered ${res.status} with something that is not the loadr control API`);
  }
  if (!res.ok) {
    const msg = (data as { error?: unknown })?.error;
    throw new ControlClientError(typeof msg === "string" ? msg : `${address} answered ${res.status}`);
  }
  return data;
}
