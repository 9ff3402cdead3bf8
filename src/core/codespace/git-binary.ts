/** The git CLI the sandbox runs for codespace tasks (checkout, diff, commit, bundle). */
import fs from 'node:fs';

/** Under /usr, which every sandbox mounts read-only. */
export const GIT_BINARY = '/usr/bin/git';

let found: boolean | undefined;

/** Whether git is installed (checked once: a host path, never a workspace one). */
export function gitAvailable(): boolean {
  found ??= fs.existsSync(GIT_BINARY);
  return found;
}
