/**
 * The bare comparison loop of the realtime bench: `Bun.connect` doing what loadr's `tcp://` plan
 * does — each of `conns` loops connects, writes the payload, reads the first chunk back, closes,
 * and starts again — for `seconds`. Prints `{"roundTrips": n, "seconds": s}`.
 * usage: bun bench/tcp-bare.ts <host> <port> <conns> <seconds> <payload>
 */
const [host, portArg, connsArg, secondsArg, payload] = process.argv.slice(2);
const conns = Number(connsArg);
const end = performance.now() + Number(secondsArg) * 1000;
let roundTrips = 0;

function exchange(done: () => void): void {
  let answered = false;
  Bun.connect({
    hostname: host!,
    port: Number(portArg),
    socket: {
      open(s) {
        s.setNoDelay(true);
        s.write(payload!);
      },
      data(s) {
        if (answered) return;
        answered = true;
        roundTrips++;
        s.end();
        done();
      },
      connectError() {
        done();
      },
      error() {},
    },
  }).catch(() => {});
}

const t0 = performance.now();
await Promise.all(
  Array.from({ length: conns }, () => new Promise<void>((resolve) => {
    const loop = () => (performance.now() < end ? exchange(loop) : resolve());
    loop();
  })),
);
console.log(JSON.stringify({ roundTrips, seconds: (performance.now() - t0) / 1000 }));
export {};
