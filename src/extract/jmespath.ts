/**
 * JMESPath for chain `jmespath:` sources, with @jmespath-community/jmespath (a maintained
 * TypeScript implementation; a superset of the JMESPath spec the reference's Rust crate follows).
 * Compiled once to an AST, evaluated by the library's tree interpreter per response.
 */
import { compile, TreeInterpreter } from "@jmespath-community/jmespath";

export class JmesPathSyntaxError extends Error {}

export function compileJmesPath(expression: string): (data: unknown) => unknown {
  let ast: ReturnType<typeof compile>;
  try {
    ast = compile(expression);
  } catch (e) {
    throw new JmesPathSyntaxError(`invalid JMESPath \`${expression}\`: ${(e as Error).message}`);
  }
  return (data) => TreeInterpreter.search(ast, (data ?? null) as never);
}
