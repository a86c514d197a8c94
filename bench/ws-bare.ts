/**
 * The bare comparison loop of the realtime bench: Bun's own WebSocket client doing what loadr's
 * `ws:` plan does — each of `conns` clients opens a session, sends `frames` messages, waits for
 * as many echoes, closes, and starts again — for `seconds`. Prints `{"messages": n, "sessions": n,
 * "seconds": s}`. usage: bun bench/ws-bare.ts <ws url> <conns> <frames> <seconds> <payload bytes>
 */
const [url, connsArg, framesArg, secondsArg, sizeArg] = process.argv.slice(2);
const conns = Number(connsArg);
const frames = Number(framesArg);
const seconds = Number(secondsArg);
const payload = "x".repeat(Number(sizeArg));
const end = performance.now() + seconds * 1000;
let messages = 0;
let sessions = 0;

function session(done: () => void): void {
  const ws = new WebSocket(url!);
  let got = 0;
  ws.onopen = () => {
    for (let i = 0; i < frames; i++) ws.send(payload);
  };
  ws.onmessage = () => {
    messages++;
    if (++got === frames) {
      sessions++;
      ws.close();
    }
  };
  ws.onclose = () => done();
  ws.onerror = () => {};
}

const t0 = performance.now();
await Promise.all(
  Array.from({ length: conns }, () => new Promise<void>((resolve) => {
    const loop = () => (performance.now() < end ? session(loop) : resolve());
    loop();
  })),
);
console.log(JSON.stringify({ messages, sessions, seconds: (performance.now() - t0) / 1000 }));
export {};
