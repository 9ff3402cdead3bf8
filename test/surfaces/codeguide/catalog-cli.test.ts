/**
 * Operators edit CodeGuide's catalogs with `tasklane catalog`: a new document type
 * appears in GET /document-types (and generation accepts it), a deactivated one
 * disappears; bad arguments are refused with a message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import {
  createTestDatabase,
  makeTempDir,
  SHARED_KEYS,
  type TestDatabase,
} from '../../helpers/db.ts';
import { client } from '../../helpers/http.ts';
import { startServer } from '../../helpers/server.ts';
import { registerUser } from './support.ts';

let dir: string;
let database: TestDatabase;
let env: NodeJS.ProcessEnv;
before(async () => {
  dir = makeTempDir();
  database = await createTestDatabase(dir);
  env = {
    ...process.env,
    TASKLANE_DATA_DIR: dir,
    TASKLANE_DATABASE_URL: database.url,
    TASKLANE_LOG_LEVEL: 'warn',
    ...SHARED_KEYS,
  };
});
after(async () => {
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['src/cli.ts', ...args], { env, encoding: 'utf8' });

// Each CLI run starts a process (slow on a loaded machine): a few runs, a long timeout.
test('tasklane catalog adds, changes and deactivates document types and AI tools', {
  timeout: 600_000,
}, async () => {
  const added = cli(
    'catalog',
    'document-types',
    'set',
    'security_review',
    '--name',
    'Security Review',
    '--description',
    'Threats and mitigations',
    '--ordinal',
    '7',
  );
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stdout, /document-types security_review created/);
  const off = cli('catalog', 'document-types', 'set', 'app_flow', '--active', 'false');
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stdout, /updated/);
  const tool = cli('catalog', 'ai-tools', 'set', 'zed', '--name', 'Zed', '--category', 'ide');
  assert.equal(tool.status, 0, tool.stderr);

  const refused = cli('catalog', 'poems', 'set', 'x');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /document-types\|ai-tools/);

  const server = await startServer({
    shared: { databaseUrl: database.url, dataDir: dir },
    env: { ...SHARED_KEYS },
  });
  try {
    const api = client(server.url);
    const user = await registerUser(api);
    const types = (await api.get('/v1/document-types', user.auth)).body.data;
    const keys = types.map((t: any) => t.key);
    assert.ok(keys.includes('security_review'));
    assert.ok(!keys.includes('app_flow'));
    const review = types.find((t: any) => t.key === 'security_review');
    assert.equal(review.name, 'Security Review');
    assert.equal(review.ordinal, 7);
    const zed = (await api.get('/v1/ai-tools?key=zed', user.auth)).body.data;
    assert.equal(zed[0].category, 'ide');
  } finally {
    await server.close();
  }
});
