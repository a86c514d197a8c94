/** Vu.dataRow (src/engine/worker/vu.ts): one row per source per iteration, cursors shared with parallel branches. */
import { describe, expect, test } from "bun:test";
import { Vu } from "../src/engine/worker/vu.ts";
import { DataExhaustedError, DataFeed } from "../src/engine/worker/data/feed.ts";
import type { ScenarioRuntime } from "../src/engine/worker/scenario-runtime.ts";
import type { FlowSharedState } from "../src/engine/flow-shared-state.ts";

const rows = [{ u: "alice" }, { u: "bob" }, { u: "carol" }];

function vuWith(onEof: "recycle" | "stop", sources = ["users"]): Vu {
  const feed = (name: string) => new DataFeed(name, rows, { mode: "per_vu", on_eof: onEof, pick: "sequential" } as never, undefined as unknown as FlowSharedState);
  const feeds = new Map(sources.map((n) => [n, feed(n)]));
  const rt = { run: { flow: { data: { get: (n: string) => feeds.get(n) } } } } as unknown as ScenarioRuntime;
  return new Vu(1, rt);
}

describe("Vu.dataRow", () => {
  test("the same row for the whole iteration, the next one in the next iteration; unknown sources are undefined", () => {
    const vu = vuWith("recycle");
    const seen: string[] = [];
    for (let it = 0; it < 4; it++) {
      vu.iteration = it;
      const a = vu.dataRow("users")!.u!;
      expect(vu.dataRow("users")!.u).toBe(a);
      seen.push(a);
    }
    expect(seen).toEqual(["alice", "bob", "carol", "alice"]);
    expect(vu.dataRow("nope")).toBeUndefined();
  });

  test("a parallel branch has its own row of the iteration but advances the parent's cursor", () => {
    const vu = vuWith("recycle");
    vu.iteration = 0;
    expect(vu.dataRow("users")!.u).toBe("alice");
    const child = vu.branch(0);
    expect(child.dataRow("users")!.u).toBe("bob");
    expect(child.dataRow("users")!.u).toBe("bob");
    expect(vu.dataRow("users")!.u).toBe("alice");
    vu.endBranch(child);
    vu.iteration = 1;
    expect(vu.dataRow("users")!.u).toBe("carol");
  });

  test("on_eof stop: past the last row every use throws, in that iteration and later ones", () => {
    const vu = vuWith("stop");
    for (let it = 0; it < 3; it++) {
      vu.iteration = it;
      vu.dataRow("users");
    }
    vu.iteration = 3;
    expect(() => vu.dataRow("users")).toThrow(DataExhaustedError);
    expect(() => vu.dataRow("users")).toThrow(DataExhaustedError);
    vu.iteration = 4;
    expect(() => vu.dataRow("users")).toThrow(DataExhaustedError);
  });

  test("a source left unused for some iterations gets its next row when used again, whatever other sources did meanwhile", () => {
    const vu = vuWith("recycle", ["users", "items"]);
    const at = (it: number, ...sources: string[]) => {
      vu.iteration = it;
      return sources.map((s) => vu.dataRow(s)!.u);
    };
    expect(at(0, "users", "items")).toEqual(["alice", "alice"]);
    expect(at(1, "items")).toEqual(["bob"]);
    expect(at(2, "users", "items", "users")).toEqual(["bob", "carol", "bob"]);
    expect(at(5, "items", "users")).toEqual(["alice", "carol"]);
  });
});
