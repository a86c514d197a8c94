/**
 * Encoded line fragments of the raw-point outputs, one per metric or per tag set, made on first
 * use. Ids are per worker (sample-columns.ts), so each worker's dictionary — the same array
 * object across its batches — has its own fragment list.
 */
import type { SampleColumns } from "../metrics/sample-columns.ts";

const encoder = new TextEncoder();

export class FragmentCache {
  private readonly byDictionary = new WeakMap<object, Uint8Array[]>();
  private current: Uint8Array[] = [];

  constructor(
    /** the fragment's text for entry `id` of the batch's dictionary */
    private readonly text: (b: SampleColumns, id: number) => string,
    /** which dictionary of the batch the ids index (`metrics` or `tagSets`) */
    private readonly dictionary: (b: SampleColumns) => object,
  ) {}

  /** The fragments by id for this batch's worker; a missing one comes from make(). */
  for(b: SampleColumns): (Uint8Array | undefined)[] {
    const d = this.dictionary(b);
    let list = this.byDictionary.get(d);
    if (list === undefined) this.byDictionary.set(d, (list = []));
    return (this.current = list);
  }

  make(b: SampleColumns, id: number): Uint8Array {
    return (this.current[id] = encoder.encode(this.text(b, id)));
  }
}
