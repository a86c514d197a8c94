/**
 * A thread of the hook bench's visibility figure (lib/wasm-hooks-bench.ts): the publisher sets
 * key "t" to the wall-clock time of the set, `sets` times, sleeping 2 ms between (it leaves the
 * core to the reader); the reader polls the key until the publisher's last version and posts back
 * how many ms after its set it saw each new version (the times are the shared
 * performance.timeOrigin-based clock of both threads).
 */
import { SharedStore } from "../../src/plugins/host/wasm/shared-store.ts";

declare const self: Worker;
const now = () => performance.timeOrigin + performance.now();

self.onmessage = (m: MessageEvent<{ buf: SharedArrayBuffer; role: "publish" | "read"; sets: number }>) => {
  const store = new SharedStore(m.data.buf);
  const sets = m.data.sets;
  if (m.data.role === "publish") {
    const stamp = new Uint8Array(8);
    const dv = new DataView(stamp.buffer);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < sets; i++) {
      dv.setFloat64(0, now(), true);
      store.set("t", stamp);
      Atomics.wait(nap, 0, 0, 2);
    }
    self.postMessage([]);
    return;
  }
  const lags: number[] = [];
  let seen = 0n;
  const deadline = performance.now() + 60_000;
  while (seen < BigInt(sets) && performance.now() < deadline) {
    const e = store.get("t");
    if (e === undefined || e.version === seen) continue;
    seen = e.version;
    lags.push(now() - new DataView(e.value.buffer, e.value.byteOffset).getFloat64(0, true));
  }
  self.postMessage(lags);
};
