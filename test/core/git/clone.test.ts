/**
 * Cloning through the SSRF guard, against a real `git http-backend` on loopback: a real
 * shallow clone when private addresses are allowed; loopback refused when they are not;
 * each redirect hop re-checked (a redirect to link-local or another loopback address is
 * refused and nothing reaches it); bad URL forms and credentials refused before any
 * request; the size, checkout, file-count and time limits stop the clone saying which;
 * the host allow-list; and reading the clone never follows its symlinks.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EnvReader } from '../../../src/config/env-reader.ts';
import type { GitConfig } from '../../../src/config/git.ts';
import { readNetworks } from '../../../src/config/networks.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Ctx } from '../../../src/core/context.ts';
import { fetchRepository } from '../../../src/core/git/clone.ts';
import { CloneFailed } from '../../../src/core/git/clone-errors.ts';
import { listClone, readCloneFile } from '../../../src/core/git/read-clone.ts';
import { checkRepositoryUrl, RepositoryUrlRefused } from '../../../src/core/git/repository-url.ts';
import { makeTempDir } from '../../helpers/db.ts';
import { type GitServer, startGitServer } from '../../helpers/git-server.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

let t: TestRuntime;
let git: GitServer;
let other: GitServer;
let work: string;

const README = '# Demo\n\nA repository made by the test.\n';
const APP = 'print("hello")\n'.repeat(10);

before(async () => {
  t = await startRuntime();
  git = await startGitServer();
  // A second server on another loopback address: redirects to it must never arrive.
  other = await startGitServer({ host: '127.0.0.2' });
  work = makeTempDir('tasklane-clones-');
  git.createRepository('demo', {
    'README.md': README,
    'src/app.py': APP,
    'passwd-link': { symlink: '/etc/passwd' },
    'etc-link': { symlink: '/etc' },
  });
  git.createRepository('moved', { 'MOVED.md': 'the new home\n' });
  git.createRepository('big', { 'noise.bin': randomBytes(200_000) });
  git.createRepository('zeros', { 'zeros.txt': '0'.repeat(4_000_000) });
  git.createRepository(
    'many',
    Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`f${n}.txt`, `${n}`])),
  );
  other.createRepository('demo', { 'OTHER.md': 'must never be cloned\n' });
});
after(async () => {
  await git?.close();
  await other?.close();
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The runtime's context with these git settings. */
function ctxWith(settings: Partial<GitConfig>): Ctx {
  const base = t.ctx();
  return { ...base, config: { ...base.config, git: { ...base.config.git, ...settings } } };
}
const loopback = () => readNetworks(new EnvReader({ N: '127.0.0.1/32' }), 'N');
let n = 0;
const target = () => path.join(work, `clone-${++n}`);

async function refusal(promise: Promise<unknown>): Promise<CloneFailed> {
  const error = await promise.then(
    () => assert.fail('the clone should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CloneFailed, String(error));
  return error;
}

test('a real repository is cloned shallow through the guard when private addresses are allowed', async () => {
  const dir = target();
  const before = git.requests.length;
  const fetched = await fetchRepository(ctxWith({ allowPrivate: true }), git.repoUrl('demo'), dir);
  assert.equal(fetched.url, git.repoUrl('demo'));
  assert.equal(fetched.branch, 'main');
  assert.match(fetched.commit, /^[0-9a-f]{40}$/);
  assert.ok(fetched.bytesReceived > 0);
  assert.equal(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), README);
  assert.equal(fs.readFileSync(path.join(dir, 'src/app.py'), 'utf8'), APP);
  // Shallow: one commit, recorded as a shallow boundary.
  assert.ok(fs.existsSync(path.join(dir, '.git/shallow')));
  const asked = git.requests.slice(before).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(asked, [
    'GET /demo.git/info/refs?service=git-upload-pack',
    'POST /demo.git/git-upload-pack',
  ]);
});

test('loopback is refused when private addresses are not allowed, and nothing is sent', async () => {
  const before = git.requests.length;
  const error = await refusal(fetchRepository(ctxWith({}), git.repoUrl('demo'), target()));
  assert.equal(error.reason, 'refused');
  assert.equal(error.code, 'validation');
  assert.match(error.message, /127\.0\.0\.1 is a loopback address/);
  assert.match(error.message, /TASKLANE_GIT_ALLOW_PRIVATE/);
  assert.equal(git.requests.length, before);
});

test('each redirect hop is checked again: private targets are refused and never reached', async () => {
  // Loopback 127.0.0.1 is opened narrowly; everything else non-public stays closed.
  const ctx = ctxWith({ allowNetworks: loopback() });
  const cases: [string, RegExp][] = [
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 is a linkLocal address/],
    [`${other.url}/demo.git/info/refs?service=git-upload-pack`, /127\.0\.0\.2 is a loopback/],
    ['http://10.1.2.3/demo.git/info/refs?service=git-upload-pack', /10\.1\.2\.3 is a private/],
    ['file:///etc/passwd', /only http\(s\) is allowed/],
    [`http://user:secret@127.0.0.1:1/x.git`, /credentials/],
  ];
  for (const [location, reason] of cases) {
    git.redirect = () => location;
    const error = await refusal(fetchRepository(ctx, git.repoUrl('demo'), target()));
    assert.equal(error.reason, 'refused', error.message);
    assert.match(error.message, reason);
  }
  git.redirect = undefined;
  assert.equal(other.requests.length, 0, 'the redirect target received nothing');
});

test('an allowed redirect is followed (and the rest of the clone moves with it); loops stop at 5', async () => {
  const ctx = ctxWith({ allowNetworks: loopback() });
  git.redirect = (p) =>
    p.startsWith('/old.git/') ? git.url + p.replace('/old.git/', '/moved.git/') : undefined;
  const dir = target();
  const before = git.requests.length;
  await fetchRepository(ctx, `${git.url}/old.git`, dir);
  assert.equal(fs.readFileSync(path.join(dir, 'MOVED.md'), 'utf8'), 'the new home\n');
  assert.deepEqual(
    git.requests.slice(before).map((r) => `${r.method} ${r.path}`),
    [
      'GET /old.git/info/refs?service=git-upload-pack',
      'GET /moved.git/info/refs?service=git-upload-pack',
      'POST /moved.git/git-upload-pack',
    ],
  );

  let hops = 0;
  git.redirect = () => `${git.url}/loop-${++hops}.git/info/refs?service=git-upload-pack`;
  const error = await refusal(fetchRepository(ctx, git.repoUrl('demo'), target()));
  assert.match(error.message, /redirected more than 5 times/);
  assert.equal(hops, 6);
  git.redirect = undefined;
});

test('bad URL forms and credentials are refused before any request', async () => {
  const before = git.requests.length;
  const cases: [string, RepositoryUrlRefused['reason'], RegExp][] = [
    ['file:///etc/passwd', 'scheme', /only http\(s\)/],
    ['ssh://git@github.com/acme/app.git', 'scheme', /ssh:/],
    ['git://github.com/acme/app.git', 'scheme', /git:/],
    ['git@github.com:acme/app.git', 'scheme', /scp-style/],
    [`http://user:pass@127.0.0.1:${new URL(git.url).port}/demo.git`, 'credentials', /credentials/],
    ['https://ghp_token@github.com/acme/app.git', 'credentials', /credentials/],
    ['not a url', 'malformed', /absolute http\(s\) URL/],
    ['https://github.com/acme/app.git?ref=x', 'malformed', /query string/],
  ];
  for (const [url, reason, message] of cases) {
    assert.throws(
      () => checkRepositoryUrl(url, { allowedHosts: [] }),
      (e: unknown) =>
        e instanceof RepositoryUrlRefused &&
        e.reason === reason &&
        e.code === 'validation' &&
        message.test(e.message),
      url,
    );
    await assert.rejects(
      fetchRepository(ctxWith({ allowPrivate: true }), url, target()),
      RepositoryUrlRefused,
    );
  }
  assert.equal(git.requests.length, before);
});

test('the size limit stops the clone and says which limit', async () => {
  const error = await refusal(
    fetchRepository(
      ctxWith({ allowPrivate: true, maxRepoBytes: 50_000 }),
      git.repoUrl('big'),
      target(),
    ),
  );
  assert.equal(error.reason, 'too_large');
  assert.match(error.message, /larger than 50000 bytes \(TASKLANE_GIT_MAX_REPO_BYTES\)/);
});

test('what the clone writes is capped too: checkout bytes and file count', async () => {
  // 4 MB of zeros compresses to a few KB: received is tiny, written is not.
  const bytes = await refusal(
    fetchRepository(
      ctxWith({ allowPrivate: true, maxCheckoutBytes: 1_000_000 }),
      git.repoUrl('zeros'),
      target(),
    ),
  );
  assert.equal(bytes.reason, 'too_large');
  assert.match(bytes.message, /TASKLANE_GIT_MAX_CHECKOUT_BYTES/);
  const files = await refusal(
    fetchRepository(ctxWith({ allowPrivate: true, maxFiles: 3 }), git.repoUrl('many'), target()),
  );
  assert.equal(files.reason, 'too_many_files');
  assert.match(files.message, /more than 3 files \(TASKLANE_GIT_MAX_FILES\)/);
});

test('the timeout stops a clone that takes too long and says which limit', async () => {
  git.stallMs = 10_000;
  try {
    const error = await refusal(
      fetchRepository(
        ctxWith({ allowPrivate: true, cloneTimeoutMs: 300 }),
        git.repoUrl('demo'),
        target(),
      ),
    );
    assert.equal(error.reason, 'timeout');
    assert.match(error.message, /longer than 0\.3 s \(TASKLANE_GIT_CLONE_TIMEOUT_MS\)/);
  } finally {
    git.stallMs = 0;
  }
});

test('the host allow-list applies to the URL and to every redirect', async () => {
  const port = new URL(git.url).port;
  assert.throws(
    () => checkRepositoryUrl(git.repoUrl('demo'), { allowedHosts: ['github.com'] }),
    /host 127\.0\.0\.1 is not allowed on this server \(allowed: github\.com\)/,
  );
  const ctx = ctxWith({ allowPrivate: true, allowedHosts: ['127.0.0.1'] });
  const dir = target();
  await fetchRepository(ctx, git.repoUrl('demo'), dir);
  assert.ok(fs.existsSync(path.join(dir, 'README.md')));
  git.redirect = (p) => `http://localhost:${port}${p}`;
  const error = await refusal(fetchRepository(ctx, git.repoUrl('demo'), target()));
  assert.match(error.message, /host localhost is not allowed on this server/);
  git.redirect = undefined;
});

test('reading a clone lists links as links and never follows them', async () => {
  const dir = target();
  await fetchRepository(ctxWith({ allowPrivate: true }), git.repoUrl('demo'), dir);
  // The library wrote the committed links as links.
  assert.equal(fs.readlinkSync(path.join(dir, 'passwd-link')), '/etc/passwd');
  const listing = await listClone(dir, { maxEntries: 100 });
  assert.deepEqual(
    listing.entries.map((e) => [e.path, e.kind]),
    [
      ['README.md', 'file'],
      ['etc-link', 'symlink'],
      ['passwd-link', 'symlink'],
      ['src', 'directory'],
      ['src/app.py', 'file'],
    ],
  );
  assert.equal(listing.truncated, false);
  const chunks: Buffer[] = [];
  const collect = (chunk: Buffer) => {
    chunks.push(chunk);
    return true;
  };
  assert.equal(await readCloneFile(dir, 'passwd-link', collect), undefined);
  assert.equal(await readCloneFile(dir, 'etc-link/passwd', collect), undefined);
  assert.equal(chunks.length, 0, 'nothing was read through a link');
  assert.equal(await readCloneFile(dir, 'README.md', collect), README.length);
  assert.equal(Buffer.concat(chunks).toString(), README);
  const capped = await listClone(dir, { maxEntries: 2 });
  assert.equal(capped.entries.length, 2);
  assert.equal(capped.truncated, true);
});

test('the settings: hostnames lower-cased, `*` for any host, anything else refused at start-up', () => {
  const hosts = (value: string) =>
    loadConfig({ TASKLANE_GIT_ALLOWED_HOSTS: value }).git.allowedHosts;
  assert.deepEqual(hosts('GitHub.com, gitlab.example.org.'), ['github.com', 'gitlab.example.org']);
  assert.deepEqual(hosts('*'), []);
  assert.deepEqual(hosts(''), []);
  assert.throws(
    () => hosts('https://github.com'),
    /TASKLANE_GIT_ALLOWED_HOSTS: "https:\/\/github.com" is not a hostname/,
  );
  const defaults = loadConfig({}).git;
  assert.equal(defaults.maxRepoBytes, 100 * 1024 * 1024);
  assert.equal(defaults.cloneTimeoutMs, 60_000);
  assert.equal(defaults.allowPrivate, false);
  assert.throws(
    () => loadConfig({ TASKLANE_GIT_CLONE_TIMEOUT_MS: 'soon' }),
    /TASKLANE_GIT_CLONE_TIMEOUT_MS must be an integer/,
  );
});
