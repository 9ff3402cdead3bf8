/**
 * The console's first load stays small: the scripts and styles index.html pulls in
 * (entry, preloaded chunks, CSS), gzipped, within 300 KB. Pages with heavy
 * dependencies (the charts) are separate chunks loaded when opened. Runs on the build
 * in web/dist (CI builds it before the tests); skips when there is none.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
const BUDGET_BYTES = 300 * 1024;
const skip = fs.existsSync(path.join(DIST, 'index.html'))
  ? false
  : 'web/dist is not built (npm run console:build)';

test('first load of the console is within 300 KB gzipped', { skip }, () => {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1]!,
  );
  assert.ok(
    files.some((f) => f.endsWith('.js')),
    `index.html loads a script: ${html}`,
  );
  const sizes = files.map((file) => ({
    file,
    gzip: zlib.gzipSync(fs.readFileSync(path.join(DIST, file)), { level: 9 }).length,
  }));
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
  assert.ok(
    total <= BUDGET_BYTES,
    `first load is ${Math.round(total / 1024)} KB gzipped (budget 300 KB): ${JSON.stringify(sizes)}`,
  );
  // The chart library is not part of it.
  for (const { file } of sizes) {
    assert.doesNotMatch(
      fs.readFileSync(path.join(DIST, file), 'utf8'),
      /echarts\.apache\.org|ECharts/i,
      file,
    );
  }
});
