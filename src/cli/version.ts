/** `loadr version`: the reference's four lines (§3.6), with what this build really has. */
import pkg from "../../package.json" with { type: "json" };
import { parse } from "./args.ts";

export const HELP = `Usage: loadr version

Prints the loadr version, the protocols this build runs, the JavaScript engine and the architecture.`;

export async function main(args: string[]): Promise<number> {
  const { values } = parse("version", args, {});
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  process.stdout.write(
    [`loadr ${pkg.version}`, `  protocols: http/1.1, http/2, grpc`, `  js engine: none (JavaScript steps come in a later build)`, `  arch: ${process.arch}`, `  runtime: bun ${Bun.version}`].join("\n") + "\n",
  );
  return 0;
}
