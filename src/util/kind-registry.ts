/**
 * A name → implementation map that starts with the built-ins and takes each further name once:
 * the shape of every plugin role's registry (extractor and condition kinds, output kinds,
 * services). A second registration of a name is refused, so a plugin cannot silently replace a
 * built-in or another plugin.
 */
export class KindRegistry<K> {
  protected readonly kinds: Map<string, K>;

  constructor(
    /** what a name is, for the refusal, e.g. "extractor type" */
    private readonly what: string,
    builtIns: ReadonlyMap<string, K> = new Map(),
  ) {
    this.kinds = new Map(builtIns);
  }

  register(name: string, kind: K): void {
    if (this.kinds.has(name)) throw new Error(`${this.what} \`${name}\` is already registered`);
    this.kinds.set(name, kind);
  }
}

/**
 * A kind written for the specs of its own `type` (`(spec: RegexExtractorSpec) => ...`), as a
 * registry stores it: for any spec. Sound because a registry hands a kind only the specs whose
 * `type` named it, and the plan schema has checked each variant's fields — the one place where
 * that narrowing is taken on trust, instead of an `any` in every kind's signature.
 */
export function ofType<S, A extends unknown[], R>(kind: (spec: S, ...rest: A) => R): (spec: { type: string }, ...rest: A) => R {
  return kind as unknown as (spec: { type: string }, ...rest: A) => R;
}
