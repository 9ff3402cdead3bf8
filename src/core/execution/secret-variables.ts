/**
 * Secret environment variables for a sandboxed program (a CMBCluster user's variables,
 * in their environments and in code tasks that ask for them). They never go on a
 * command line, where the host's process list would show them (bubblewrap's
 * `--setenv` would put them there): they travel as a read-only data file (a pipe) that
 * a `sh` wrapper exports before exec'ing the program.
 */
import type { SandboxSpec } from './sandbox.types.ts';

const VARIABLES_FILE = '/opt/tasklane-env/variables.sh';

/** The program wrapped so that it starts with `variables` in its environment. */
export function withSecretVariables(
  argv: string[],
  variables: Record<string, string>,
): Pick<SandboxSpec, 'argv'> & { dataFile: { inside: string; content: string } } {
  return {
    argv: ['/bin/sh', '-c', `set -a; . ${VARIABLES_FILE}; set +a; exec "$@"`, 'sh', ...argv],
    dataFile: { inside: VARIABLES_FILE, content: shellAssignments(variables) },
  };
}

/** `NAME='value'` lines for sh (names are checked when set; quotes escaped). */
function shellAssignments(variables: Record<string, string>): string {
  return Object.entries(variables)
    .map(([name, value]) => `${name}='${value.replaceAll("'", "'\\''")}'\n`)
    .join('');
}
