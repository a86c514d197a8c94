/**
 * Protocol selection (reference §5.2) among the handlers that exist: the built-in ones
 * (builtins.ts) and the protocol plugins this run loaded. A request step is routed once, when its
 * flow compiles: an explicit `protocol:` by a handler's name or alias (a plugin also answers to
 * its `plugins:` entry name and to the schemes it declared), else the URL's scheme; a URL with no
 * scheme (relative, or templated before `://`) goes to HTTP. A scheme or name no handler serves
 * is refused, naming the handlers that exist — nothing is ever sent to a handler that cannot
 * speak it. Built-in names and schemes always win over a plugin's; a plugin that declares one gets
 * a warning naming both.
 *
 * One router per worker thread holds that thread's handlers, each with a slot: the index of its
 * per-VU state in every VU (src/engine/worker/vu.ts). The main thread builds one over handler
 * descriptions only, to refuse a plan before any load (src/plan/protocol-check.ts).
 */
import type { ProtocolCatalogue, RouteProblem, StepView } from "../plan/protocol-check.ts";
import type { HandlerInfo, ProtocolHandler } from "./handler.ts";

/** A handler as the router placed it. */
export interface Routed<H extends HandlerInfo = ProtocolHandler> {
  readonly handler: H;
  /**
   * index of the handler's per-VU state in a VU: its own place in `handlers`, or the place of the
   * handler whose state it shares (GraphQL rides on HTTP's pool and cookie jar)
   */
  readonly slot: number;
  /** how it is addressed: names for `protocol:`, URL schemes (lower case) */
  readonly names: readonly string[];
  readonly schemes: readonly string[];
}

export class ProtocolRouterError extends Error {}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** The scheme of a URL text (lower case), or undefined when it has none before any template. */
export function urlScheme(url: string): string | undefined {
  const m = SCHEME.exec(url);
  return m ? m[1]!.toLowerCase() : undefined;
}

export class ProtocolRouter<H extends HandlerInfo = ProtocolHandler> implements ProtocolCatalogue {
  private readonly list: Routed<H>[] = [];
  private readonly byName = new Map<string, Routed<H>>();
  private readonly byScheme = new Map<string, Routed<H>>();
  /** names and schemes of the built-in handlers: never taken by a plugin */
  private readonly reserved = new Map<string, string>();

  /**
   * `builtins`: the handlers this build has, HTTP first (it serves URLs without a scheme); one
   * with `sharesStateOf` uses the per-VU state of the built-in of that name, listed before it.
   */
  constructor(builtins: readonly { handler: H; names: readonly string[]; schemes: readonly string[]; sharesStateOf?: string }[]) {
    for (const b of builtins) {
      const r = this.add(b.handler, b.names, b.schemes, b.sharesStateOf === undefined ? undefined : this.byName.get(b.sharesStateOf)?.slot);
      for (const k of [...r.names, ...r.schemes]) this.reserved.set(k, b.handler.name);
    }
  }

  /**
   * Register a loaded protocol plugin under its name, its `plugins:` entry name (`aliases`) and the
   * schemes it declared; a later registration of a scheme wins. Returns one warning per name or
   * scheme a built-in handler owns (the built-in keeps it).
   */
  register(handler: H, schemes: readonly string[], aliases: readonly string[] = []): string[] {
    const warnings: string[] = [];
    const taken = (k: string, what: string) => {
      const owner = this.reserved.get(k.toLowerCase());
      if (owner !== undefined) warnings.push(`protocol plugin \`${handler.name}\` declares the ${what} \`${k}\`, which the built-in \`${owner}\` handler serves: the built-in keeps it`);
      return owner !== undefined;
    };
    const names = [handler.name, ...aliases].filter((n, i, all) => all.indexOf(n) === i && !taken(n, "name"));
    this.add(handler, names, schemes.map((s) => s.toLowerCase()).filter((s) => !taken(s, "scheme")));
    return warnings;
  }

  private add(handler: H, names: readonly string[], schemes: readonly string[], slot = this.list.length): Routed<H> {
    const r: Routed<H> = { handler, slot, names, schemes };
    this.list.push(r);
    for (const n of names) this.byName.set(n.toLowerCase(), r);
    for (const s of schemes) this.byScheme.set(s, r);
    return r;
  }

  /** Every handler, in slot order. */
  get handlers(): readonly Routed<H>[] {
    return this.list;
  }

  /** The handler registered under `name` (a handler name or alias), if any. */
  named(name: string): Routed<H> | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /**
   * The handler of a request step: by `protocol:` when given, else by the scheme of `url` (the
   * URL text as far as it is known when the flow compiles); throws ProtocolRouterError when none
   * serves it.
   */
  route(protocol: string | undefined, url: string): Routed<H> {
    const r = this.find(protocol, url);
    if (typeof r === "string") throw new ProtocolRouterError(r);
    return r;
  }

  private find(protocol: string | undefined, url: string): Routed<H> | string {
    if (protocol !== undefined) {
      const r = this.byName.get(protocol.toLowerCase()) ?? this.byScheme.get(protocol.toLowerCase());
      return r ?? `no protocol handler serves \`protocol: ${protocol}\` in this build (${this.available()})`;
    }
    const scheme = urlScheme(url);
    if (scheme === undefined) return this.list[0]!;
    return this.byScheme.get(scheme) ?? `no protocol handler serves \`${scheme}://\` URLs in this build (${this.available()})`;
  }

  /** ProtocolCatalogue: why no handler serves a request step, or undefined when one does. */
  unserved(step: StepView): RouteProblem | undefined {
    let r = this.find(step.protocol, step.url);
    if (step.protocol === undefined && step.blocks.length > 0 && urlScheme(step.url) === undefined && step.url.includes("${")) {
      // a scheme only a template gives (`${services.echo.grpc_url}`): the option blocks say which
      // handler the step is meant for; the worker routes the rendered URL
      const meant = this.list.find((h) => step.blocks.every((b) => h.handler.optionBlocks.includes(b)));
      if (meant !== undefined) r = meant;
    }
    if (typeof r === "string") return { field: step.protocol !== undefined ? "protocol" : "url", message: r };
    for (const b of step.blocks)
      if (!r.handler.optionBlocks.includes(b))
        return { field: b, message: `\`${b}:\` options: the \`${r.handler.name}\` handler this request goes to does not read them (${this.available()})` };
    return r.handler.checkStep?.(step);
  }

  /** "handlers: http (http://, https://), echo-proto (echo-proto://)" */
  available(): string {
    const one = (r: Routed<H>) => (r.schemes.length ? `${r.handler.name} (${r.schemes.map((s) => `${s}://`).join(", ")})` : r.handler.name);
    return `handlers: ${this.list.map(one).join(", ")}`;
  }
}
