/**
 * `loadr completions bash|zsh|fish`: a completion script for the shell, on stdout. The commands
 * and their flags come from the commands' own `--help` texts (the flags a user is told about),
 * so the script cannot drift from them; file names complete wherever no flag is being typed.
 */
import { parse } from "./args.ts";
import { UsageError } from "./errors.ts";

export const HELP = `Usage: loadr completions <bash|zsh|fish>

Prints a shell completion script for loadr's commands and flags.

  bash: eval "$(loadr completions bash)"   (or save it in /etc/bash_completion.d/loadr)
  zsh:  loadr completions zsh > "\${fpath[1]}/_loadr"   (or: source <(loadr completions zsh))
  fish: loadr completions fish > ~/.config/fish/completions/loadr.fish`;

export interface Flag {
  long: string;
  short?: string;
  /** it takes a value */
  arg: boolean;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  flags: Flag[];
  /** `plugin`'s subcommands */
  subcommands?: { name: string; summary: string; flags: Flag[] }[];
}

const SHELLS = ["bash", "zsh", "fish"] as const;

/** The global flags every command takes (args.ts GLOBAL_OPTIONS), as help texts would list them. */
const GLOBAL_FLAGS: Flag[] = [
  { long: "quiet", short: "q", arg: false, description: "less output" },
  { long: "verbose", short: "v", arg: false, description: "more log lines (-vv: debug)" },
  { long: "no-color", arg: false, description: "no colours" },
  { long: "help", short: "h", arg: false, description: "show the command's help" },
];

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parse("completions", args, {});
  if (values.help) {
    process.stdout.write(HELP + "\n");
    return 0;
  }
  const shell = positionals[0];
  if (positionals.length !== 1 || !(SHELLS as readonly string[]).includes(shell!))
    throw new UsageError(`completions: name one shell: ${SHELLS.join(", ")} (e.g. \`loadr completions bash\`)`);
  const commands = await commandSpecs();
  const script = shell === "bash" ? bashScript(commands) : shell === "zsh" ? zshScript(commands) : fishScript(commands);
  process.stdout.write(script);
  return 0;
}

/** Every command with its flags, from main.ts's list and each command's help. */
export async function commandSpecs(): Promise<CommandSpec[]> {
  const { COMMANDS } = await import("./commands.ts");
  const out: CommandSpec[] = [];
  for (const [name, c] of Object.entries(COMMANDS)) {
    const help = await c.help();
    const spec: CommandSpec = { name, summary: c.summary, flags: withGlobal(helpFlags(help)) };
    if (name === "plugin") spec.subcommands = await pluginSubcommands(help);
    out.push(spec);
  }
  return out;
}

/** The flags a help text lists: option lines (`  -e, --env <name>   what`) and its usage line's (`[--format text|json]`). */
export function helpFlags(help: string): Flag[] {
  const flags = new Map<string, Flag>();
  for (const m of help.matchAll(/^ {2}(?:-([A-Za-z]), )?--([a-z][a-z0-9-]*)(\[=[^\]]*\])?( <[^>]+>)?[ \t]*(.*)$/gm))
    if (!flags.has(m[2]!)) flags.set(m[2]!, { long: m[2]!, short: m[1], arg: m[4] !== undefined, description: m[5]!.trim() });
  const usage = /^Usage:.*$/m.exec(help)?.[0] ?? "";
  for (const m of usage.matchAll(/--([a-z][a-z0-9-]*)( <| [a-z]+\|)?/g))
    if (!flags.has(m[1]!)) flags.set(m[1]!, { long: m[1]!, arg: m[2] !== undefined, description: "" });
  return [...flags.values()];
}

const withGlobal = (flags: Flag[]) => [...flags, ...GLOBAL_FLAGS.filter((g) => !flags.some((f) => f.long === g.long))];

async function pluginSubcommands(help: string): Promise<NonNullable<CommandSpec["subcommands"]>> {
  const section = /Subcommands:\n([\s\S]*?)\n\n/.exec(help)?.[1] ?? "";
  const helps: Record<string, () => Promise<string>> = {
    list: async () => (await import("./plugin-list.ts")).HELP,
    info: async () => (await import("./plugin-info.ts")).HELP,
    search: async () => (await import("./plugin-search.ts")).HELP,
    mirror: async () => (await import("./plugin-mirror.ts")).HELP,
    pack: async () => (await import("./plugin-pack.ts")).HELP,
    install: async () => (await import("./plugin-install.ts")).INSTALL_HELP,
    update: async () => (await import("./plugin-install.ts")).UPDATE_HELP,
  };
  // the flags every subcommand may take, named in `loadr plugin --help`'s prose: --plugins-dir, --index
  const shared = [...help.matchAll(/--([a-z][a-z0-9-]*) </g)].map((m): Flag => ({ long: m[1]!, arg: true, description: "" }));
  const out = [];
  for (const m of section.matchAll(/^ {2}(\S+)\s+(.*)$/gm)) {
    const own = helps[m[1]!] ? helpFlags(await helps[m[1]!]!()) : [];
    const flags = [...own, ...shared.filter((f) => !own.some((o) => o.long === f.long))];
    out.push({ name: m[1]!, summary: m[2]!.trim(), flags: withGlobal(flags) });
  }
  return out;
}

const words = (flags: readonly Flag[]) => flags.flatMap((f) => [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])]).join(" ");
const sq = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

function bashScript(commands: readonly CommandSpec[]): string {
  const cases = commands
    .map((c) =>
      c.subcommands
        ? `    ${c.name})\n      if [ "$COMP_CWORD" -eq 2 ]; then opts=${sq(c.subcommands.map((s) => s.name).join(" "))}; else\n        case "\${COMP_WORDS[2]}" in\n${c.subcommands.map((s) => `          ${s.name}) opts=${sq(words(s.flags))} ;;`).join("\n")}\n        esac\n      fi ;;`
        : `    ${c.name}) opts=${sq(words(c.flags))} ;;`,
    )
    .join("\n");
  return `# loadr completion for bash: eval "$(loadr completions bash)"
_loadr() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" opts=""
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${sq(commands.map((c) => c.name).join(" ") + " --help --version")} -- "$cur"))
    return 0
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  # a plugin subcommand is a word too; anything else that is not a flag: file names (-o default)
  if [[ "$cur" == -* || ( "\${COMP_WORDS[1]}" == plugin && "$COMP_CWORD" -eq 2 ) ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  fi
  return 0
}
complete -o default -F _loadr loadr
`;
}

function zshScript(commands: readonly CommandSpec[]): string {
  const describe = (list: readonly { name: string; summary: string }[]) => list.map((c) => sq(`${c.name}:${c.summary.replace(/:/g, "\\:")}`)).join(" ");
  const cases = commands
    .map((c) =>
      c.subcommands
        ? `    ${c.name})\n      if (( CURRENT == 3 )); then\n        local -a subs; subs=(${describe(c.subcommands)})\n        _describe 'plugin subcommand' subs; return\n      fi\n      case \${words[3]} in\n${c.subcommands.map((s) => `        ${s.name}) opts=(${words(s.flags)}) ;;`).join("\n")}\n      esac ;;`
        : `    ${c.name}) opts=(${words(c.flags)}) ;;`,
    )
    .join("\n");
  return `#compdef loadr
# loadr completion for zsh: loadr completions zsh > "\${fpath[1]}/_loadr", or source <(loadr completions zsh)
_loadr() {
  local -a commands opts
  commands=(${describe(commands)})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case \${words[2]} in
${cases}
  esac
  if [[ \${words[CURRENT]} == -* ]]; then
    compadd -- $opts
  else
    _files
  fi
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _loadr "$@"
else
  compdef _loadr loadr
fi
`;
}

function fishScript(commands: readonly CommandSpec[]): string {
  const lines = ["# loadr completion for fish: loadr completions fish > ~/.config/fish/completions/loadr.fish", "complete -c loadr -e"];
  const flag = (cond: string, f: Flag) =>
    `complete -c loadr -n ${sq(cond)} -l ${f.long}${f.short ? ` -s ${f.short}` : ""}${f.arg ? " -r" : ""}${f.description ? ` -d ${sq(f.description)}` : ""}`;
  const names = commands.map((c) => c.name).join(" ");
  for (const c of commands) {
    lines.push(`complete -c loadr -f -n ${sq(`not __fish_seen_subcommand_from ${names}`)} -a ${c.name} -d ${sq(c.summary)}`);
    if (c.subcommands) {
      const subs = c.subcommands.map((s) => s.name).join(" ");
      for (const s of c.subcommands) {
        lines.push(`complete -c loadr -f -n ${sq(`__fish_seen_subcommand_from ${c.name}; and not __fish_seen_subcommand_from ${subs}`)} -a ${s.name} -d ${sq(s.summary)}`);
        for (const f of s.flags) lines.push(flag(`__fish_seen_subcommand_from ${c.name}; and __fish_seen_subcommand_from ${s.name}`, f));
      }
    } else for (const f of c.flags) lines.push(flag(`__fish_seen_subcommand_from ${c.name}`, f));
  }
  return lines.join("\n") + "\n";
}
