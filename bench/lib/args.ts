/** Command-line flags of `bun run bench -- ...`. */

export type BenchName = "http" | "vus" | "startup" | "arrival" | "scaling" | "vus50k" | "flow" | "wasm" | "hooks" | "native" | "h2grpc" | "realtime" | "ws10k" | "js" | "scaleout";
export const ALL_BENCHES: readonly BenchName[] = ["http", "vus", "startup", "arrival", "scaling", "vus50k", "flow", "wasm", "hooks", "native", "h2grpc", "realtime", "ws10k", "js", "scaleout"];

export interface BenchArgs {
  only: BenchName[];
  /** seconds per tool in the HTTP bench */
  duration: number;
  /** alternated rounds of every comparison (each ratio is the median of the rounds' ratios) */
  rounds: number;
  /** seconds of the 10,000-VU bench */
  vusDuration: number;
  vus: number;
  /** the many-VU bench (spread over 127.0.0.1–4) */
  manyVus: number;
  /** WebSocket sessions held, and for how long, in the ws10k bench */
  heldSessions: number;
  heldSeconds: number;
  /** iterations/s of the arrival-rate accuracy bench */
  rates: number[];
  /** skip apt-get installs of missing tools */
  install: boolean;
  /** keep each tool's raw output here (for debugging and for the parser fixtures) */
  rawDir?: string;
  loadr: string;
  /** auto = nginx when installed, else the echo target */
  target: "auto" | "nginx" | "echo";
}

export const USAGE = `usage: bun run bench -- [--only http|vus|startup|arrival|scaling|vus50k|flow|wasm|hooks|native|h2grpc|realtime|ws10k|js|scaleout[,...]] [--duration 10] [--rounds 4]
                      [--vus-duration 15] [--vus 10000] [--many-vus 50000] [--rates 1000,10000,50000]
                      [--held-sessions 10000] [--held-seconds 60]
                      [--no-install] [--raw-dir DIR] [--loadr dist/loadr] [--target auto|nginx|echo]`;

export function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = { only: [...ALL_BENCHES], duration: 10, rounds: 4, vusDuration: 15, vus: 10_000, manyVus: 50_000, heldSessions: 10_000, heldSeconds: 60, rates: [1000, 10_000, 50_000], install: true, loadr: "dist/loadr", target: "auto" };
  const positive = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${v ?? "nothing"}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes("=") ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)] : [flag, undefined];
    const value = () => inline ?? argv[++i];
    switch (name) {
      case "--only": {
        const list = (value() ?? "").split(",").filter(Boolean);
        for (const b of list) if (!ALL_BENCHES.includes(b as BenchName)) throw new Error(`--only: unknown bench "${b}"\n${USAGE}`);
        if (list.length === 0) throw new Error(`--only needs a bench name\n${USAGE}`);
        a.only = list as BenchName[];
        break;
      }
      case "--duration":
        a.duration = positive(name, value());
        break;
      case "--rounds":
        a.rounds = Math.ceil(positive(name, value()));
        break;
      case "--vus-duration":
        a.vusDuration = positive(name, value());
        break;
      case "--vus":
        a.vus = Math.round(positive(name, value()));
        break;
      case "--many-vus":
        a.manyVus = Math.round(positive(name, value()));
        break;
      case "--held-sessions":
        a.heldSessions = Math.round(positive(name, value()));
        break;
      case "--held-seconds":
        a.heldSeconds = positive(name, value());
        break;
      case "--rates":
        a.rates = (value() ?? "").split(",").filter(Boolean).map((r) => positive(name, r));
        if (a.rates.length === 0) throw new Error(`--rates needs a list like 1000,10000\n${USAGE}`);
        break;
      case "--no-install":
        a.install = false;
        break;
      case "--raw-dir":
        a.rawDir = value();
        break;
      case "--loadr":
        a.loadr = value() ?? a.loadr;
        break;
      case "--target": {
        const t = value();
        if (t !== "auto" && t !== "nginx" && t !== "echo") throw new Error(`--target must be auto, nginx or echo\n${USAGE}`);
        a.target = t;
        break;
      }
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  return a;
}
