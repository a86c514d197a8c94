/**
 * Line fragments of the raw-point outputs, one per metric or per tag set, made on first use.
 * Ids are per worker (sample-columns.ts), so each worker's dictionary — the same array object
 * across its batches — has its own fragment list.
 */
import type { SampleColumns } from "../../metrics/sample-columns.ts";

const encoder = new TextEncoder();

export class FragmentCache<T = Uint8Array> {
  private readonly byDictionary = new WeakMap<object, T[]>();
  private current: T[] = [];

  constructor(
    /** the fragment for entry `id` of the batch's dictionary */
    private readonly build: (b: SampleColumns, id: number) => T,
    /** which dictionary of the batch the ids index (`metrics` or `tagSets`) */
    private readonly dictionary: (b: SampleColumns) => object,
  ) {}

  /** The fragments by id for this batch's worker; a missing one comes from make(). */
  for(b: SampleColumns): (T | undefined)[] {
    const d = this.dictionary(b);
    let list = this.byDictionary.get(d);
    if (list === undefined) this.byDictionary.set(d, (list = []));
    return (this.current = list);
  }

  make(b: SampleColumns, id: number): T {
    return (this.current[id] = this.build(b, id));
  }
}

/** A fragment builder from the fragment's text, encoded once. */
export function encoded(text: (b: SampleColumns, id: number) => string): (b: SampleColumns, id: number) => Uint8Array {
  return (b, id) => encoder.encode(text(b, id));
}
