/** JSONPath syntax check (RFC 9535, as the reference's `serde_json_path`): message or undefined. */
import parse from "jsonpath-rfc9535/parser";

export function jsonPathError(expr: string): string | undefined {
  try {
    parse(expr);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
