/**
 * Running one phase's hooks (src/pipeline/phases.ts): synchronous hooks answer without a promise
 * (the WASM hooks' case: the request step then awaits nothing), and from the first hook that
 * returns a promise the rest of the phase waits for it — order, answers and failures the same
 * either way.
 */
import { describe, expect, test } from "bun:test";
import { runAfter, runBeforeSend } from "../src/pipeline/phases.ts";
import type { BeforeSendHook, HookExchange, SyntheticResponse } from "../src/pipeline/hooks.ts";

const x: HookExchange<null> = { vu: null, name: "r", protocol: "http", request: { method: "GET", url: "http://127.0.0.1/", headers: [], body: undefined } };

function before(name: string, log: string[], answer?: () => void | SyntheticResponse | Promise<void | SyntheticResponse>): BeforeSendHook<null> {
  return {
    name,
    priority: 0,
    phase: "before-send",
    run() {
      log.push(name);
      return answer?.();
    },
  };
}

describe("runBeforeSend", () => {
  test("synchronous hooks: no promise, every hook in order", () => {
    const log: string[] = [];
    const out = runBeforeSend([before("a", log), before("b", log)], x);
    expect(out).toBeUndefined();
    expect(log).toEqual(["a", "b"]);
  });

  test("a synchronous answer ends the phase at once", () => {
    const log: string[] = [];
    const out = runBeforeSend([before("a", log, () => ({ status: 204 })), before("b", log)], x);
    expect(out).toEqual({ answer: { status: 204 } });
    expect(log).toEqual(["a"]);
  });

  test("from an asynchronous hook on, the rest waits for it: order kept, a later answer arrives through the promise", async () => {
    const log: string[] = [];
    const slow = () => new Promise<void>((r) => setTimeout(() => (log.push("slow done"), r()), 5));
    const out = runBeforeSend([before("a", log), before("slow", log, slow), before("c", log, () => ({ status: 299 })), before("d", log)], x);
    expect(out).toBeInstanceOf(Promise);
    expect(log).toEqual(["a", "slow"]); // c has not run yet
    expect(await out).toEqual({ answer: { status: 299 } });
    expect(log).toEqual(["a", "slow", "slow done", "c"]);
  });

  test("a throw, a rejection and an answer that is not a response each fail the phase, naming the hook", async () => {
    const log: string[] = [];
    expect(runBeforeSend([before("t", log, () => { throw new Error("no"); }), before("b", log)], x)).toEqual({ failure: "hook `t` failed in before-send: no" });
    expect(await runBeforeSend([before("r", log, () => Promise.reject(new Error("later"))), before("b", log)], x)).toEqual({ failure: "hook `r` failed in before-send: later" });
    expect(await runBeforeSend([before("n", log, async () => ({ status: "x" }) as never)], x)).toMatchObject({ failure: expect.stringContaining("hook `n` answered before-send with something that is not a response") });
    expect(log).toEqual(["t", "r", "n"]);
  });
});

describe("runAfter", () => {
  const hook = (name: string, log: string[], run?: () => void | Promise<void>) => ({ name, phase: "after-response" as const, run: () => (log.push(name), run?.()) });

  test("synchronous: no promise; the first throw ends the phase", () => {
    const log: string[] = [];
    expect(runAfter([hook("a", log), hook("b", log)], x)).toBeUndefined();
    expect(runAfter([hook("t", log, () => { throw new Error("no"); }), hook("c", log)], x)).toBe("hook `t` failed in after-response: no");
    expect(log).toEqual(["a", "b", "t"]);
  });

  test("asynchronous: the hooks after it wait for it; a rejection fails the phase", async () => {
    const log: string[] = [];
    const slow = () => new Promise<void>((r) => setTimeout(() => (log.push("slow done"), r()), 5));
    const out = runAfter([hook("slow", log, slow), hook("b", log)], x);
    expect(log).toEqual(["slow"]);
    expect(await out).toBeUndefined();
    expect(log).toEqual(["slow", "slow done", "b"]);
    expect(await runAfter([hook("r", log, () => Promise.reject(new Error("later"))), hook("c", log)], x)).toBe("hook `r` failed in after-response: later");
    expect(log).not.toContain("c");
  });
});
