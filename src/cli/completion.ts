/**
 * `philote completion bash|zsh`: a completion script generated from the command tree itself
 * (subcommands and each one's options), so it never falls behind the CLI. zsh loads the same
 * function through its bashcompinit layer. Host patterns complete from `philote inventory --list`.
 *
 * No package: tabtab and omelette install into the user's rc files and call back into the
 * program on every <Tab>; a static script is what `kubectl completion` and `gh completion` print.
 */
import { Command } from 'commander';
import type { CliIO } from './io.js';
import { PhiloteError } from '../errors.js';
import { shellQuote } from '../values/shell-quote.js';

const q = shellQuote;

function optionWords(c: Command): string[] {
  const words = c.options.flatMap((o) => [o.short, o.long].filter((x): x is string => Boolean(x)));
  return [...words, '-h', '--help'];
}

/** Options whose value is a file or folder (completed with file names). */
const FILE_OPTIONS = ['-i', '--inventory', '--private-key', '--vault-password-file', '-o', '--output', '--kubeconfig'];
/** Options whose value is a host pattern (completed with inventory hosts and groups). */
const PATTERN_OPTIONS = ['-l', '--limit', '--host'];

export function bashCompletion(program: Command): string {
  const subs = program.commands.filter((c) => c.name() !== 'help');
  const cases = subs
    .map((c) => {
      const nested = c.commands.map((s) => s.name());
      const words = [...nested, ...optionWords(c)].join(' ');
      return `    ${c.name()}) words=${q(words)} ;;`;
    })
    .join('\n');
  return `# philote completion for bash (and zsh through bashcompinit).
# bash:  source <(philote completion bash)     zsh:  source <(philote completion zsh)
_philote_patterns() {
  local i inv=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -i|--inventory) inv+=(-i "\${COMP_WORDS[i+1]}") ;; esac
  done
  philote inventory "\${inv[@]}" --graph 2>/dev/null | sed 's/.*--//; s/^@//; s/:$//' | sort -u
}
_philote() {
  local cur prev sub words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  sub="\${COMP_WORDS[1]}"
  case "$prev" in
    ${FILE_OPTIONS.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    ${PATTERN_OPTIONS.join('|')}) COMPREPLY=($(compgen -W "$(_philote_patterns)" -- "$cur")); return 0 ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${q([...subs.map((c) => c.name()), '--version', '--help'].join(' '))} -- "$cur"))
    return 0
  fi
  case "$sub" in
${cases}
    *) words="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  elif [ "$sub" = playbook ]; then
    COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur") $(compgen -d -- "$cur"))
  elif [ -n "$words" ] && [ "\${words#-}" = "$words" ] && [ "$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  return 0
}
complete -o filenames -F _philote philote
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef philote
# philote completion for zsh: the bash completion through zsh's bashcompinit.
autoload -U +X compinit && compinit -u
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).replace(/^#.*\n/gm, '')}`;
}

export function completionScript(shell: string, program: Command): string {
  if (shell === 'bash') return bashCompletion(program);
  if (shell === 'zsh') return zshCompletion(program);
  throw new PhiloteError('option', `completion is available for bash and zsh, not '${shell}'`);
}

export function completionCommand(io: CliIO, setExit: (code: number) => void, program: () => Command): Command {
  return new Command('completion')
    .description('print a shell completion script: source <(philote completion bash)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      io.stdout.write(completionScript(shell, program()));
      setExit(0);
    });
}
