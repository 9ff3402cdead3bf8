/**
 * `npm test`: runs every test file with node's test runner on the database chosen by
 * TEST_DB (sqlite, the default, or postgres). Pass files to run only those:
 * `npm test -- test/core/identity/auth.test.ts`. On a fresh clone it installs the
 * dependencies first (this file needs none of them), so README's one command,
 * `./scripts/node24.sh npm test`, works by itself.
 */
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import os from 'node:os';

const installed = spawnSync('bash', ['scripts/install-deps.sh'], { stdio: 'inherit' });
if (installed.status !== 0) process.exit(installed.status ?? 1);

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const selected = files.length ? files : globSync('test/**/*.test.ts').sort();
const db = process.env.TEST_DB ?? 'sqlite';
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, os.availableParallelism()));

console.log(`tasklane tests: ${selected.length} files on ${db}, concurrency ${concurrency}`);
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...flags, ...selected],
  { stdio: 'inherit', env: { ...process.env, TEST_DB: db } },
);
process.exit(result.status ?? 1);
