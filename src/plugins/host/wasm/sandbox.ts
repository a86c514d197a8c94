/**
 * Our deny-all WASI 0.2 imports for plugin components (docs/dev/wasm-host-recipes.md Q3). Never
 * preview2-shim at run time: it hands the plugin the whole environment and its `exit` ends
 * the process. Here a plugin gets:
 *  - no environment, arguments or cwd; no preopened directories (every file call is denied);
 *  - stdin closed; stdout/stderr captured into a size-capped sink (the host logs the lines);
 *  - clocks and random;
 *  - `exit` throws PluginExit: the call fails, the host lives;
 *  - any other interface (sockets, http, custom imports) resolves to stubs that answer
 *    `access-denied` (resource constructors and methods included), so instantiation works and
 *    use is refused.
 * Keys are version-less (`wasi:cli/environment`), as jco's instantiation mode looks them up, so
 * components built against any wasi 0.2.x resolve. Error results are thrown as plain values
 * (`{tag: 'closed'}`, `'access-denied'`): jco lowers those into the `result` error case.
 */

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

class InputStream {
  read(): never {
    throw { tag: "closed" };
  }
  blockingRead(): never {
    throw { tag: "closed" };
  }
  skip(): never {
    throw { tag: "closed" };
  }
  blockingSkip(): never {
    throw { tag: "closed" };
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

/** No instances are ever handed out (no preopens); every method is denied regardless. */
class Descriptor {
  constructor() {
    deny();
  }
}
for (const m of [
  "readViaStream", "writeViaStream", "appendViaStream", "advise", "syncData", "getFlags", "getType", "setSize",
  "setTimes", "read", "write", "readDirectory", "sync", "createDirectoryAt", "stat", "statAt", "setTimesAt",
  "linkAt", "openAt", "readlinkAt", "removeDirectoryAt", "renameAt", "symlinkAt", "unlinkFileAt", "isSameObject",
  "metadataHash", "metadataHashAt",
]) {
  Object.defineProperty(Descriptor.prototype, m, { value: deny });
}
class DirectoryEntryStream {
  readDirectoryEntry(): never {
    throw DENIED;
  }
}

class Terminal {}

const bigNow = () => process.hrtime.bigint();

/** The import object for one plugin instance; `stdio` receives what it prints. */
export function sandboxImports(stdio: StdioSink): Record<string, unknown> {
  const stdout = new OutputStream(1, stdio);
  const stderr = new OutputStream(2, stdio);
  const stdin = new InputStream();
  const randomBytes = (len: bigint) => crypto.getRandomValues(new Uint8Array(Math.min(Number(len), 65536)));
  const randomU64 = () => crypto.getRandomValues(new BigUint64Array(1))[0]!;
  const known: Record<string, Record<string, unknown>> = {
    "wasi:cli/environment": { getEnvironment: () => [], getArguments: () => [], initialCwd: () => undefined },
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
    "wasi:clocks/monotonic-clock": {
      now: bigNow,
      resolution: () => 1n,
      subscribeInstant: () => new Pollable(),
      subscribeDuration: () => new Pollable(),
    },
    "wasi:clocks/wall-clock": {
      now: () => {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1e6 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1e6 }),
    },
    "wasi:filesystem/preopens": { getDirectories: () => [] },
    "wasi:filesystem/types": { Descriptor, DirectoryEntryStream, filesystemErrorCode: () => undefined },
    "wasi:random/random": { getRandomBytes: randomBytes, getRandomU64: randomU64 },
    "wasi:random/insecure": { getInsecureRandomBytes: randomBytes, getInsecureRandomU64: randomU64 },
    "wasi:random/insecure-seed": { insecureSeed: () => [randomU64(), randomU64()] },
  };
  return new Proxy(known, {
    get: (target, key) => (typeof key === "string" ? (target[versionless(key)] ?? deniedInterface()) : undefined),
  });
}

function versionless(key: string): string {
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
