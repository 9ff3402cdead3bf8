/**
 * The console's typed API client (web/src/api/*.d.ts) is generated from the OpenAPI
 * documents the server publishes. This regenerates them and fails when the committed
 * files differ, so a route change reaches the console's type-check (web's `tsc`) in CI.
 * Fix: `npm run console:types`, then make web/ type-check again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  API_TYPES_DIR,
  findOpenapiTypescript,
  generateApiTypes,
} from '../../scripts/console-types.ts';

const missing = findOpenapiTypescript()
  ? false
  : 'web/ has no node_modules (run `npm ci` in web/): openapi-typescript is its dependency';

test('committed web/src/api types match the published OpenAPI documents', {
  skip: missing,
}, async () => {
  const generated = await generateApiTypes();
  assert.ok(generated.size >= 3, 'every enabled surface has a document');
  const committed = fs.readdirSync(API_TYPES_DIR).filter((f) => f.endsWith('.d.ts'));
  assert.deepEqual(committed.sort(), [...generated.keys()].sort(), 'one file per surface');
  for (const [file, text] of generated) {
    const current = fs.readFileSync(path.join(API_TYPES_DIR, file), 'utf8');
    assert.ok(
      current === text,
      `web/src/api/${file} is out of date with the routes: run \`npm run console:types\``,
    );
  }
});
