// `skwirl completion bash|zsh|fish`: completion scripts written from the command table, so that
// a new command or flag completes without anyone touching this file.
import { GLOBAL_OPTIONS, LOG_LEVEL_VALUES, type CommandSpec, type OptionSpec } from './grammar'

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

interface Entry {
  /** "provider add" */
  path: string
  summary: string
  options: Array<[string, OptionSpec]>
  complete: 'files' | readonly string[] | undefined
}

function entries(commands: ReadonlyArray<CommandSpec<unknown>>): Entry[] {
  return commands.map((command) => ({
    path: command.name.join(' '),
    summary: command.summary,
    options: Object.entries(command.options ?? {}),
    complete: command.complete,
  }))
}

function flagsOf(options: Array<[string, OptionSpec]>): string[] {
  return options.flatMap(([name, spec]) => [`--${name}`, ...(spec.short ? [`-${spec.short}`] : [])])
}

const GLOBALS: Array<[string, OptionSpec]> = Object.entries(GLOBAL_OPTIONS)
/** Options whose next word is their value (nothing to complete there but a level). */
function valueFlags(all: Entry[]): string[] {
  const options = [...GLOBALS, ...all.flatMap((e) => e.options)]
  return [...new Set(flagsOf(options.filter(([, spec]) => spec.type === 'string')))]
}

/** First words, with a summary: a command, or a group of them ("provider"). */
function firstWords(all: Entry[]): Array<[string, string]> {
  const seen = new Map<string, string>()
  for (const entry of all) {
    const [first, second] = entry.path.split(' ') as [string, string | undefined]
    if (seen.has(first)) continue
    const subs = all.filter((e) => e.path.startsWith(`${first} `)).map((e) => e.path.split(' ')[1])
    seen.set(
      first,
      second ? `${first[0]?.toUpperCase()}${first.slice(1)}s: ${subs.join(', ')}` : entry.summary,
    )
  }
  seen.set('help', 'Show help, or a command’s')
  return [...seen]
}

function groups(all: Entry[]): Map<string, Entry[]> {
  const byGroup = new Map<string, Entry[]>()
  for (const entry of all) {
    const [first, second] = entry.path.split(' ')
    if (second === undefined) continue
    byGroup.set(first as string, [...(byGroup.get(first as string) ?? []), entry])
  }
  return byGroup
}

const quoteSingle = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`

function bash(all: Entry[]): string {
  const globals = flagsOf(GLOBALS).join(' ')
  const cases: string[] = [
    `    '') words="${firstWords(all)
      .map(([w]) => w)
      .join(' ')} ${globals}" ;;`,
  ]
  for (const [group, members] of groups(all)) {
    cases.push(`    ${group}) words="${members.map((m) => m.path.split(' ')[1]).join(' ')}" ;;`)
  }
  for (const entry of all) {
    const flags = [...flagsOf(entry.options), ...flagsOf(GLOBALS)].join(' ')
    const args =
      entry.complete === 'files'
        ? 'files=1'
        : Array.isArray(entry.complete)
          ? `words="${entry.complete.join(' ')}"`
          : ':'
    cases.push(
      `    ${quoteSingle(entry.path)}|${quoteSingle(`${entry.path} `)}*)\n      if [[ $cur == -* ]]; then words="${flags}"; else ${args}; fi ;;`,
    )
  }
  return `# bash completion for skwirl. Load it with: source <(skwirl completion bash)
_skwirl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" words="" files=0 i w
  case "$prev" in
    --log-level) COMPREPLY=($(compgen -W "${LOG_LEVEL_VALUES.join(' ')}" -- "$cur")); return ;;
    ${valueFlags(all).join('|')}) return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      ${valueFlags(all).join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${cmd:+$cmd }$w" ;;
    esac
  done
  case "$cmd" in
${cases.join('\n')}
  esac
  if [[ $files == 1 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -o filenames -o bashdefault -F _skwirl skwirl
`
}

function zsh(all: Entry[]): string {
  const describe = (pairs: Array<[string, string]>): string =>
    pairs.map(([word, summary]) => quoteSingle(`${word}:${summary.replace(/:/g, '\\:')}`)).join(' ')
  const globals = flagsOf(GLOBALS).join(' ')
  const cases: string[] = [
    `    '') local -a cmds=(${describe(firstWords(all))}); _describe command cmds; compadd -- ${globals} ;;`,
  ]
  for (const [group, members] of groups(all)) {
    cases.push(
      `    ${group}) local -a subs=(${describe(members.map((m) => [m.path.split(' ')[1] as string, m.summary]))}); _describe command subs ;;`,
    )
  }
  for (const entry of all) {
    const flags = [...flagsOf(entry.options), ...flagsOf(GLOBALS)].join(' ')
    const args =
      entry.complete === 'files'
        ? '_files'
        : Array.isArray(entry.complete)
          ? `compadd -- ${entry.complete.join(' ')}`
          : ':'
    cases.push(
      `    ${quoteSingle(entry.path)}|${quoteSingle(`${entry.path} `)}*)\n      if [[ $PREFIX == -* ]]; then compadd -- ${flags}; else ${args}; fi ;;`,
    )
  }
  return `#compdef skwirl
# zsh completion for skwirl: save it as _skwirl in a directory of $fpath, or source it.
_skwirl() {
  local cmd="" w i
  case \${words[CURRENT-1]} in
    --log-level) compadd -- ${LOG_LEVEL_VALUES.join(' ')}; return ;;
    ${valueFlags(all).join('|')}) return ;;
  esac
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    case $w in
      ${valueFlags(all).join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${cmd:+$cmd }$w" ;;
    esac
  done
  case $cmd in
${cases.join('\n')}
  esac
}
if [[ \${funcstack[1]} == _skwirl ]]; then _skwirl "$@"; else compdef _skwirl skwirl; fi
`
}

function fish(all: Entry[]): string {
  const lines = [
    '# fish completion for skwirl: skwirl completion fish > ~/.config/fish/completions/skwirl.fish',
    'complete -c skwirl -f',
  ]
  const option = (condition: string | null, name: string, spec: OptionSpec): string => {
    const parts = ['complete -c skwirl']
    if (condition) parts.push(`-n ${quoteSingle(condition)}`)
    parts.push(`-l ${name}`)
    if (spec.short) parts.push(`-s ${spec.short}`)
    if (spec.type === 'string')
      parts.push(name === 'log-level' ? `-x -a ${quoteSingle(LOG_LEVEL_VALUES.join(' '))}` : '-r')
    parts.push(`-d ${quoteSingle(spec.help)}`)
    return parts.join(' ')
  }
  for (const [word, summary] of firstWords(all)) {
    lines.push(`complete -c skwirl -n __fish_use_subcommand -a ${word} -d ${quoteSingle(summary)}`)
  }
  for (const [group, members] of groups(all)) {
    const subs = members.map((m) => m.path.split(' ')[1]).join(' ')
    for (const member of members) {
      lines.push(
        `complete -c skwirl -n ${quoteSingle(`__fish_seen_subcommand_from ${group}; and not __fish_seen_subcommand_from ${subs}`)} -a ${member.path.split(' ')[1]} -d ${quoteSingle(member.summary)}`,
      )
    }
  }
  for (const [name, spec] of GLOBALS) lines.push(option(null, name, spec))
  for (const entry of all) {
    const words = entry.path.split(' ')
    const condition = words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ')
    for (const [name, spec] of entry.options) lines.push(option(condition, name, spec))
    if (entry.complete === 'files') lines.push(`complete -c skwirl -n ${quoteSingle(condition)} -F`)
    else if (Array.isArray(entry.complete))
      lines.push(
        `complete -c skwirl -n ${quoteSingle(condition)} -a ${quoteSingle(entry.complete.join(' '))}`,
      )
  }
  return `${lines.join('\n')}\n`
}

export function completionScript(
  shell: Shell,
  commands: ReadonlyArray<CommandSpec<never>>,
): string {
  const all = entries(commands as ReadonlyArray<CommandSpec<unknown>>)
  return shell === 'bash' ? bash(all) : shell === 'zsh' ? zsh(all) : fish(all)
}
