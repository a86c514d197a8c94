/** Paths a module may read (imports, `open()`): the plan's directory and below. */
import { relative, sep } from "node:path";

/** Is a file inside a directory (or the directory itself)? */
export function isInside(root: string, file: string): boolean {
  const r = relative(root, file);
  return r === "" || (!r.startsWith("..") && !r.startsWith(sep) && !/^[a-zA-Z]:/.test(r));
}
