/**
 * Telling "ran out of memory" from "trapped" (runtime.ts classify): a plugin whose
 * `memory.grow` failed at the cap (memory-cap.ts) and that then aborts traps like any other
 * bug — and its memory may be far below the cap when it does (a Go runtime asks for a large
 * arena at once, is refused, and panics at 10 of 16 MiB). So every `memory.grow` of a core
 * module records its failure in an exported global the runtime reads after a failed call:
 *
 *   memory.grow  →  memory.grow; global.set $r; global.get $failed; global.get $r; i32.const -1;
 *                   i32.eq; i32.or; global.set $failed; global.get $r
 *
 * Two i32 globals are appended (global indices after every existing one: nothing shifts) and
 * `$failed` is exported as GROW_FAILED. A module without `memory.grow` is returned unchanged.
 */
import { walkExpr } from "./wasm-code.ts";
import { type Reader, readSections, writeModule, Writer } from "./wasm-binary.ts";
import { afterCount, countImports, rewriteFunctionBodies, setSection, someFunctionBody, vectorCount, writeName } from "./wasm-module.ts";

export const GROW_FAILED = "loadr:grow-failed";

const MEMORY_GROW = 0x40;

export function watchGrow(mod: Uint8Array): Uint8Array {
  const sections = readSections(mod);
  const code = sections.find((s) => s.id === 10);
  if (!code || !hasGrow(code.body)) return mod;
  const importedGlobals = countImports(sections.find((s) => s.id === 2)).globals;

  const globals = sections.find((s) => s.id === 6);
  const defined = vectorCount(globals);
  const gw = new Writer();
  gw.u32(defined + 2);
  if (globals) gw.bytes(afterCount(globals.body));
  const result = importedGlobals + defined;
  const failed = result + 1;
  for (let k = 0; k < 2; k++) gw.bytes(new Uint8Array([0x7f, 0x01, 0x41, 0x00, 0x0b])); // (mut i32) (i32.const 0)
  setSection(sections, 6, gw.finish());

  const exports = sections.find((s) => s.id === 7);
  const ew = new Writer();
  ew.u32(vectorCount(exports) + 1);
  if (exports) ew.bytes(afterCount(exports.body));
  writeName(ew, GROW_FAILED);
  ew.byte(0x03); // global
  ew.u32(failed);
  setSection(sections, 7, ew.finish());

  setSection(sections, 10, rewriteFunctionBodies(code.body, (fr, fw) => copyWatchingGrow(fr, fw, result, failed)));
  return writeModule(sections);
}

/** Copies one expression, following each memory.grow with the code that records its failure. */
function copyWatchingGrow(fr: Reader, fw: Writer, result: number, failed: number): void {
  let copied = fr.pos;
  walkExpr(fr, (ins) => {
    if (ins.op !== MEMORY_GROW) return;
    fw.bytes(fr.buf.subarray(copied, fr.pos)); // up to and including memory.grow's immediate
    copied = fr.pos;
    fw.byte(0x24); fw.u32(result); // global.set $r
    fw.byte(0x23); fw.u32(failed); // global.get $failed
    fw.byte(0x23); fw.u32(result); // global.get $r
    fw.byte(0x41); fw.s32(-1); // i32.const -1
    fw.byte(0x46); // i32.eq
    fw.byte(0x72); // i32.or
    fw.byte(0x24); fw.u32(failed); // global.set $failed
    fw.byte(0x23); fw.u32(result); // global.get $r
  });
  fw.bytes(fr.buf.subarray(copied, fr.pos));
}

function hasGrow(code: Uint8Array): boolean {
  return someFunctionBody(code, (fr) => {
    let found = false;
    walkExpr(fr, (ins) => {
      if (ins.op === MEMORY_GROW) found = true;
    });
    return found;
  });
}
