/**
 * The redis-server the redis plugin tests run against: `LOADR_TEST_REDIS_URL` when set (CI may
 * provide its own), else a private `redis-server` started here on a free loopback port and
 * stopped after the file. Without redis-server the suite is skipped — except under CI=true,
 * where a missing server is a failure (a suite skipped in CI is not coverage).
 */
import { spawn, type Subprocess } from "bun";

export interface RedisTarget {
  url: string;
  stop(): void;
}

export async function redisTarget(): Promise<RedisTarget | undefined> {
  if (process.env.LOADR_TEST_REDIS_URL) return { url: process.env.LOADR_TEST_REDIS_URL, stop() {} };
  if (!Bun.which("redis-server")) {
    if (process.env.CI === "true") throw new Error("CI=true but redis-server is not installed (scripts/setup.sh --test installs it) and LOADR_TEST_REDIS_URL is not set");
    return undefined;
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const proc: Subprocess = spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdout: "ignore",
      stderr: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) break;
      try {
        const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
        s.end();
        return { url: `redis://127.0.0.1:${port}`, stop: () => proc.kill() };
      } catch {
        await Bun.sleep(20);
      }
    }
    proc.kill();
  }
  throw new Error("could not start redis-server on a free loopback port");
}
