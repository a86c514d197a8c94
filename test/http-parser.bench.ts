/**
 * Response-parser cost (a script, not a test): `bun test/http-parser.bench.ts [tree]`.
 * Feeds a typical nginx `200 ok` response to one ResponseParser, a fresh socket-like Buffer each
 * time as Bun hands them over, and prints ns per response (the Buffer copy included). Pass another
 * checkout's path as `tree` to compare two versions in the same minutes.
 */
const tree = process.argv[2] ?? `${import.meta.dir}/..`;
const { ResponseParser } = (await import(`${tree}/src/protocols/http/response-parser.ts`)) as typeof import("../src/protocols/http/response-parser.ts");
const resp = Buffer.from(
  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 05 Dec 2026 08:20:00 GMT\r\nContent-Type: text/plain\r\n" +
    "Content-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
);
const p = new ResponseParser();
const N = 2_000_000;
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    p.reset(false);
    p.feed(Buffer.from(resp));
  }
  console.log(`${(((performance.now() - t0) * 1e6) / N).toFixed(0)} ns per response`);
}
