/**
 * Our WASI 0.2 imports for plugin components (docs/dev/wasm-host-recipes.md Q3): deny by
 * default, with the plugin entry's capability grants (grants.ts). Never preview2-shim at run
 * time: it hands the plugin the whole environment and its `exit` ends the process. Here a plugin
 * gets:
 *  - no arguments or cwd;
 *  - the environment variables and the (read-only) directories it is granted, none otherwise;
 *  - the clocks and random only when granted: an ungranted one fails the call that uses it
 *    (CapabilityDenied), and answers neutrally while the plugin starts (clock 0, zero bytes);
 *  - stdin closed; stdout/stderr captured into a size-capped sink (the host logs the lines);
 *  - `exit` throws PluginExit: the call fails, the host lives;
 *  - any other interface (sockets, http, custom imports) resolves to stubs that answer
 *    `access-denied` (resource constructors and methods included), so instantiation works and
 *    use is refused.
 * Keys are version-less (`wasi:cli/environment`), as jco's instantiation mode looks them up, so
 * components built against any wasi 0.2.x resolve. Error results are thrown as plain values
 * (`{tag: 'closed'}`, `'access-denied'`): jco lowers those into the `result` error case.
 */
import { CapabilityDenied, type GrantName, type Grants, NO_GRANTS } from "./grants.ts";
import { Descriptor, DirectoryEntryStream } from "./ro-files.ts";

export class PluginExit extends Error {
  constructor(readonly code: number) {
    super(`called exit(${code})`);
  }
}

export interface StdioSink {
  /** bytes written by the plugin to stdout (fd 1) or stderr (fd 2) */
  write(fd: 1 | 2, bytes: Uint8Array): void;
}

const DENIED = "access-denied";
const deny = () => {
  throw DENIED;
};

class Pollable {
  ready(): boolean {
    return true;
  }
  // Never sleeps: a plugin that "sleeps" becomes a busy loop the deadline stops.
  block(): void {}
}

class IoError {
  constructor(private readonly msg: string) {}
  toDebugString(): string {
    return this.msg;
  }
}

/** stdin (closed), or a granted file's bytes (ro-files.ts) */
class InputStream {
  constructor(private readonly next?: (n: number) => Uint8Array | undefined) {}
  read(len: bigint): Uint8Array {
    const b = this.next?.(Math.min(Number(len), 1 << 20));
    if (b === undefined) throw { tag: "closed" };
    return b;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

/** Room a plugin may write per checkWrite (it writes again for more). */
const WRITE_BUDGET = 65536n;

class OutputStream {
  constructor(
    private readonly fd: 1 | 2,
    private readonly sink: StdioSink,
  ) {}
  checkWrite(): bigint {
    return WRITE_BUDGET;
  }
  write(bytes: Uint8Array): void {
    this.sink.write(this.fd, bytes);
  }
  blockingWriteAndFlush(bytes: Uint8Array): void {
    this.sink.write(this.fd, bytes);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(n: bigint): void {
    this.sink.write(this.fd, new Uint8Array(Math.min(Number(n), 4096)));
  }
  blockingWriteZeroesAndFlush(n: bigint): void {
    this.writeZeroes(n);
  }
  splice(): never {
    throw { tag: "closed" };
  }
  blockingSplice(): never {
    throw { tag: "closed" };
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

class Terminal {}

const bigNow = () => process.hrtime.bigint();

/** What decides an instance's capabilities: its grants, and whether a call is running (start-up gets neutral answers). */
export interface Capabilities {
  grants: Grants;
  /** is one of the plugin's exports running? (false while it starts) */
  inCall(): boolean;
}

/** Everything granted, never in a call: jco's own bindgen component (bindgen-wasi.ts), which only computes. */
export const COMPUTE_ONLY: Capabilities = {
  grants: { clock: true, random: true, env: [], envNames: [], files: [] },
  inCall: () => false,
};

/** May the plugin use `grant` now? Granted: yes; else inside a call it fails the call, and while it starts: no (answer neutrally). */
function allowed(caps: Capabilities, grant: GrantName, iface: string): boolean {
  if (caps.grants[grant]) return true;
  if (caps.inCall()) throw new CapabilityDenied(grant, iface);
  return false;
}

/** The import object for one plugin instance; `stdio` receives what it prints. */
export function sandboxImports(stdio: StdioSink, caps: Capabilities = { grants: NO_GRANTS, inCall: () => false }): Record<string, unknown> {
  const g = caps.grants;
  const stdout = new OutputStream(1, stdio);
  const stderr = new OutputStream(2, stdio);
  const stdin = new InputStream();
  /** A clock or random function: granted, else it fails the call, or answers `neutral` while the plugin starts. */
  const gated =
    <A extends unknown[], R>(grant: GrantName, iface: string, f: (...a: A) => R, neutral: (...a: A) => R) =>
    (...a: A): R =>
      allowed(caps, grant, iface) ? f(...a) : neutral(...a);
  const clock = <A extends unknown[], R>(iface: string, f: (...a: A) => R, neutral: (...a: A) => R) => gated("clock", iface, f, neutral);
  const random = <A extends unknown[], R>(iface: string, f: (...a: A) => R, neutral: (...a: A) => R) => gated("random", iface, f, neutral);
  const cap = (len: bigint) => Math.min(Number(len), 65536);
  const randomBytes = (len: bigint) => crypto.getRandomValues(new Uint8Array(cap(len)));
  const randomU64 = () => crypto.getRandomValues(new BigUint64Array(1))[0]!;
  const zeros = (len: bigint) => new Uint8Array(cap(len));
  const MONO = "wasi:clocks/monotonic-clock";
  const WALL = "wasi:clocks/wall-clock";
  const streams = { makeInput: (read: (n: number) => Uint8Array | undefined) => new InputStream(read) };
  const dirs = g.files.map((d) => [Descriptor.root(d, streams), d.guest] as const);
  const known: Record<string, Record<string, unknown>> = {
    "wasi:cli/environment": {
      getEnvironment: () => g.env.map(([k, v]) => [k, v]),
      getArguments: () => [],
      initialCwd: () => undefined,
    },
    "wasi:cli/exit": {
      exit: (status: { tag: "ok" | "err" }) => {
        throw new PluginExit(status?.tag === "ok" ? 0 : 1);
      },
      exitWithCode: (code: number) => {
        throw new PluginExit(code);
      },
    },
    "wasi:cli/stdin": { getStdin: () => stdin },
    "wasi:cli/stdout": { getStdout: () => stdout },
    "wasi:cli/stderr": { getStderr: () => stderr },
    "wasi:cli/terminal-input": { TerminalInput: Terminal },
    "wasi:cli/terminal-output": { TerminalOutput: Terminal },
    "wasi:cli/terminal-stdin": { getTerminalStdin: () => undefined },
    "wasi:cli/terminal-stdout": { getTerminalStdout: () => undefined },
    "wasi:cli/terminal-stderr": { getTerminalStderr: () => undefined },
    "wasi:io/error": { Error: IoError },
    "wasi:io/poll": { Pollable, poll: (list: unknown[]) => new Uint32Array(list.map((_, i) => i)) },
    "wasi:io/streams": { InputStream, OutputStream },
    [MONO]: {
      now: clock(MONO, bigNow, () => 0n),
      resolution: () => 1n,
      subscribeInstant: clock(MONO, () => new Pollable(), () => new Pollable()),
      subscribeDuration: clock(MONO, () => new Pollable(), () => new Pollable()),
    },
    [WALL]: {
      now: clock(
        WALL,
        () => {
          const ms = Date.now();
          return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1e6 };
        },
        () => ({ seconds: 0n, nanoseconds: 0 }),
      ),
      resolution: () => ({ seconds: 0n, nanoseconds: 1e6 }),
    },
    "wasi:filesystem/preopens": { getDirectories: () => dirs },
    "wasi:filesystem/types": { Descriptor, DirectoryEntryStream, filesystemErrorCode: () => undefined },
    "wasi:random/random": {
      getRandomBytes: random("wasi:random/random", randomBytes, zeros),
      getRandomU64: random("wasi:random/random", randomU64, () => 0n),
    },
    "wasi:random/insecure": {
      getInsecureRandomBytes: random("wasi:random/insecure", randomBytes, zeros),
      getInsecureRandomU64: random("wasi:random/insecure", randomU64, () => 0n),
    },
    "wasi:random/insecure-seed": { insecureSeed: random("wasi:random/insecure-seed", () => [randomU64(), randomU64()], () => [0n, 0n]) },
  };
  return new Proxy(known, {
    get: (target, key) => (typeof key === "string" ? (target[versionless(key)] ?? deniedInterface()) : undefined),
  });
}

/**
 * The two clock reads at the core level (runtime.ts hands them to the core module that imports
 * them, as it does the host interface): jco's generated trampoline around a WASI import sets up a
 * component-model task on every call — ~300 µs for a `Date.now()` in a QuickJS component. Same
 * grant rule as the JS-level imports above. `memory`: the importing module's memory (wall-clock
 * writes its datetime {u64 seconds @0, u32 nanoseconds @8} to the return area there).
 */
export function coreClocks(caps: Capabilities, memory: () => WebAssembly.Memory | undefined): { monotonic: () => bigint; wall: (ret: number) => void } {
  return {
    monotonic: () => (allowed(caps, "clock", "wasi:clocks/monotonic-clock") ? bigNow() : 0n),
    wall: (ret) => {
      const ms = allowed(caps, "clock", "wasi:clocks/wall-clock") ? Date.now() : 0;
      const dv = new DataView(memory()!.buffer);
      dv.setBigUint64(ret, BigInt(Math.floor(ms / 1000)), true);
      dv.setUint32(ret + 8, (ms % 1000) * 1e6, true);
    },
  };
}

export function versionless(key: string): string {
  const at = key.indexOf("@");
  return at < 0 ? key : key.slice(0, at);
}

/** Any member of an unknown interface: resource classes refuse construction, functions refuse calls. */
function deniedInterface(): Record<string, unknown> {
  const members = new Map<string, unknown>();
  return new Proxy(
    {},
    {
      get: (_t, key) => {
        if (typeof key !== "string") return undefined;
        let m = members.get(key);
        if (m === undefined) {
          m = /^[A-Z]/.test(key) ? deniedResource() : deny;
          members.set(key, m);
        }
        return m;
      },
    },
  );
}

function deniedResource(): unknown {
  return new Proxy(
    class {
      constructor() {
        deny();
      }
    },
    { get: (t, key) => (typeof key === "symbol" || key === "prototype" ? Reflect.get(t, key) : deny) },
  );
}
