/**
 * outputsDirIsEmpty: the host's one look into a finished workspace, deciding whether
 * the sandboxed collector must run. Only a missing or plainly empty out/ skips it;
 * a link (to an empty or a full directory), a FIFO, a file or entries do not.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { outputsDirIsEmpty } from '../../../src/core/execution/workspace-host.ts';
import { makeTempDir } from '../../helpers/db.ts';

function workspace(): string {
  return makeTempDir('outputs-dir-');
}

test('a missing out/ or an empty one needs no collector', async () => {
  const root = workspace();
  assert.equal(await outputsDirIsEmpty(root), true);
  fs.mkdirSync(path.join(root, 'out'));
  assert.equal(await outputsDirIsEmpty(root), true);
});

test('out/ with an entry (a file, a directory, a link) is collected', async () => {
  for (const plant of [
    (out: string) => fs.writeFileSync(path.join(out, 'a.txt'), 'x'),
    (out: string) => fs.mkdirSync(path.join(out, 'sub')),
    (out: string) => fs.symlinkSync('/etc', path.join(out, 'link')),
  ]) {
    const root = workspace();
    const out = path.join(root, 'out');
    fs.mkdirSync(out);
    plant(out);
    assert.equal(await outputsDirIsEmpty(root), false);
  }
});

test('out/ that is not a plain directory is left to the sandboxed collector', async () => {
  const host = workspace();
  const emptyHostDir = path.join(host, 'empty');
  fs.mkdirSync(emptyHostDir);
  // A link to an empty host directory would read as "empty" if it were followed.
  for (const plant of [
    (out: string) => fs.symlinkSync(emptyHostDir, out),
    (out: string) => fs.symlinkSync('/etc', out),
    (out: string) => fs.symlinkSync('/nowhere', out),
    (out: string) => fs.writeFileSync(out, 'not a directory'),
    (out: string) => execFileSync('mkfifo', [out]),
  ]) {
    const root = workspace();
    plant(path.join(root, 'out'));
    assert.equal(await outputsDirIsEmpty(root), false);
  }
});
