/**
 * The typed API clients' types (clients/typescript/src/paths/*.d.ts, which the console
 * imports too) are generated from the OpenAPI documents the server publishes. This regenerates them and fails when a committed file
 * differs, so a route change reaches the console's type-check (web's `tsc`) and the
 * client package's (the root `tsc` over its examples) in CI.
 * Fix: `npm run console:types`, then make both type-check again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  API_TYPES_DIRS,
  findOpenapiTypescript,
  generateApiTypes,
} from '../../scripts/console-types.ts';

const root = path.resolve(import.meta.dirname, '../..');

const missing = findOpenapiTypescript()
  ? false
  : 'web/ has no node_modules (run `npm ci` in web/): openapi-typescript is its dependency';

test('committed API types (console and client package) match the published OpenAPI documents', {
  skip: missing,
}, async () => {
  const generated = await generateApiTypes();
  assert.ok(generated.size >= 5, 'every enabled surface has a document');
  assert.deepEqual(API_TYPES_DIRS, ['clients/typescript/src/paths']);
  for (const dir of API_TYPES_DIRS) {
    const committed = fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.d.ts'));
    assert.deepEqual(
      committed.sort(),
      [...generated.keys()].sort(),
      `${dir}: one file per surface`,
    );
    for (const [file, text] of generated) {
      const current = fs.readFileSync(path.join(root, dir, file), 'utf8');
      assert.ok(
        current === text,
        `${dir}/${file} is out of date with the routes: run \`npm run console:types\``,
      );
    }
  }
});
