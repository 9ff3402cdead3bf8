/**
 * Where the spec documents are: `../shared/specs` beside the repository (resolved from
 * this file, never the working directory), or TASKLANE_SPECS_DIR. A user's fresh clone
 * has no specs beside it, so tests that read them skip with a message saying so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const SPECS_DIR = path.resolve(
  REPO_ROOT,
  process.env.TASKLANE_SPECS_DIR ?? '../shared/specs',
);

/** The absolute path of a spec document, e.g. `specPath('codeep-v1.md')`. */
export function specPath(file: string): string {
  return path.join(SPECS_DIR, file);
}

/** The spec's text; only call it from a suite that `skipWithoutSpec` guards. */
export function readSpec(file: string): string {
  return fs.readFileSync(specPath(file), 'utf8');
}

/**
 * For `describe(name, { skip: skipWithoutSpec(file) }, …)`: false when the document is
 * there, otherwise the reason the suite is skipped.
 */
export function skipWithoutSpec(file: string): string | false {
  return fs.existsSync(specPath(file))
    ? false
    : `${specPath(file)} is absent (a fresh clone has no ../shared/specs; set TASKLANE_SPECS_DIR)`;
}
