/**
 * CMBCluster's /user-files against the spec: upload (multipart), list, download, delete,
 * field by field; names that are paths, planted links, limits (413, nothing left behind),
 * other users' files.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_FILE = 4096;
const MAX_TOTAL = 12_000;
let server: TestServer;
let api: Client;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startServer({
    env: {
      TASKLANE_USER_FILES_MAX_FILE_BYTES: String(MAX_FILE),
      TASKLANE_USER_FILES_MAX_TOTAL_BYTES: String(MAX_TOTAL),
    },
  });
  api = client(server.url);
  alice = await createUser(api, 'files_a');
  bob = await createUser(api, 'files_b');
});
after(() => server.close());

function upload(user: TestUser, name: string, content: string | Uint8Array, field = 'file') {
  const form = new FormData();
  form.append(field, new Blob([content]), name);
  return fetch(`${server.url}/cmb/user-files/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
}

async function uuidOf(user: TestUser): Promise<string> {
  return (await api.get('/cmb/users/me', { token: user.token })).body.data.id;
}

async function workspaceDir(user: TestUser): Promise<string> {
  return path.join(server.env.TASKLANE_DATA_DIR!, 'user-workspaces', await uuidOf(user));
}

async function asJson(res: Response) {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
}

describe('POST /user-files/upload', () => {
  test('stores the file: filename, size_bytes, path, uploaded_at', async () => {
    const res = await asJson(await upload(alice, 'myfile.csv', 'a,b\n1,2\n'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'success');
    assert.match(res.body.timestamp, ISO);
    assert.deepEqual(Object.keys(res.body.data).sort(), [
      'filename',
      'path',
      'size_bytes',
      'uploaded_at',
    ]);
    assert.equal(res.body.data.filename, 'myfile.csv');
    assert.equal(res.body.data.size_bytes, 8);
    assert.equal(res.body.data.path, '/workspace/myfile.csv');
    assert.match(res.body.data.uploaded_at, ISO);
    // Really in the workspace the environments mount.
    assert.equal(
      fs.readFileSync(path.join(await workspaceDir(alice), 'myfile.csv'), 'utf8'),
      'a,b\n1,2\n',
    );
  });

  test('names that are paths are refused with 400 and write nothing', async () => {
    for (const name of ['../escape.txt', 'dir/file.txt', '..', '.tasklane-upload-x']) {
      const res = await asJson(await upload(alice, name, 'x'));
      assert.equal(res.status, 400, `${name} → ${res.status} ${res.text}`);
      assertErrorShape('cmbcluster', res, name);
    }
    assert.ok(
      !fs.existsSync(path.join(server.env.TASKLANE_DATA_DIR!, 'user-workspaces', 'escape.txt')),
    );
  });

  test('over the per-file limit: 413, nothing left behind', async () => {
    const res = await asJson(await upload(alice, 'big.bin', new Uint8Array(MAX_FILE + 1)));
    assert.equal(res.status, 413, res.text);
    assert.equal(res.body.error_code, 'PAYLOAD_TOO_LARGE');
    const left = fs.readdirSync(await workspaceDir(alice));
    assert.deepEqual(left.sort(), ['myfile.csv']);
  });

  test('over the per-user total: 413, earlier files kept', async () => {
    // Each 3,000 bytes is within the per-file limit; the third passes the total.
    for (const name of ['one.bin', 'two.bin']) {
      const ok = await upload(alice, name, new Uint8Array(3000));
      assert.equal(ok.status, 200, name);
    }
    const res = await asJson(await upload(alice, 'three.bin', new Uint8Array(3000)));
    assert.equal(res.status, 413, res.text);
    assert.match(res.body.detail, /storage limit/);
    assert.ok(!fs.readdirSync(await workspaceDir(alice)).includes('three.bin'));
    for (const name of ['one.bin', 'two.bin']) {
      assert.equal(
        (await api.delete(`/cmb/user-files/${name}`, { token: alice.token })).status,
        200,
      );
    }
  });

  test('no file, a wrong field, JSON instead of multipart: 4xx in the spec shape', async () => {
    const wrongField = await asJson(await upload(alice, 'x.txt', 'x', 'document'));
    assert.equal(wrongField.status, 400);
    const json = await api.post('/cmb/user-files/upload', { file: 'x' }, { token: alice.token });
    assert.equal(json.status, 415);
    assertErrorShape('cmbcluster', json);
    const none = await api.post('/cmb/user-files/upload', undefined, { token: alice.token });
    assertErrorShape('cmbcluster', none);
  });
});

describe('GET /user-files and GET/DELETE /user-files/{filename}', () => {
  test('the list has the spec fields; only the owner sees their files', async () => {
    const res = await api.get('/cmb/user-files', { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.files.length, 1);
    const file = res.body.data.files[0];
    assert.deepEqual(Object.keys(file).sort(), ['created_at', 'filename', 'path', 'size_bytes']);
    assert.equal(file.filename, 'myfile.csv');
    assert.equal(file.size_bytes, 8);
    assert.equal(file.path, '/workspace/myfile.csv');
    assert.match(file.created_at, ISO);
    const theirs = await api.get('/cmb/user-files', { token: bob.token });
    assert.deepEqual(theirs.body.data.files, []);
  });

  test('download returns the bytes with a safe media type; another user gets 404', async () => {
    const res = await fetch(`${server.url}/cmb/user-files/myfile.csv`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'a,b\n1,2\n');
    assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="myfile.csv"/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const other = await api.get('/cmb/user-files/myfile.csv', { token: bob.token });
    assert.equal(other.status, 404);
    assertErrorShape('cmbcluster', other);
  });

  test('links planted in the workspace are never followed: listed no, read 404, overwrite 400', async () => {
    const dir = await workspaceDir(alice);
    const target = path.join(server.env.TASKLANE_DATA_DIR!, 'host-secret.txt');
    fs.writeFileSync(target, 'host secret');
    fs.symlinkSync(target, path.join(dir, 'planted.txt'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'passwd'));
    const list = await api.get('/cmb/user-files', { token: alice.token });
    assert.deepEqual(
      list.body.data.files.map((f: { filename: string }) => f.filename),
      ['myfile.csv'],
    );
    for (const name of ['planted.txt', 'passwd']) {
      const read = await api.get(`/cmb/user-files/${name}`, { token: alice.token });
      assert.equal(read.status, 404, name);
      const write = await asJson(await upload(alice, name, 'overwrite'));
      assert.equal(write.status, 400, `${name}: ${write.text}`);
    }
    assert.equal(fs.readFileSync(target, 'utf8'), 'host secret');
    assert.doesNotMatch(fs.readFileSync('/etc/passwd', 'utf8'), /overwrite/);
  });

  test('path-like names in the URL are 400 or 404, never a file outside', async () => {
    for (const name of ['..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', 'a%2F..', 'a%00b']) {
      const res = await api.get(`/cmb/user-files/${name}`, { token: alice.token });
      assert.ok([400, 404].includes(res.status), `${name} → ${res.status}`);
      assertErrorShape('cmbcluster', res, name);
    }
  });

  test('DELETE removes the file; again, or another user, or a link: 404', async () => {
    assert.equal(
      (await api.delete('/cmb/user-files/myfile.csv', { token: bob.token })).status,
      404,
    );
    assert.equal((await api.delete('/cmb/user-files/passwd', { token: alice.token })).status, 404);
    const res = await api.delete('/cmb/user-files/myfile.csv', { token: alice.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'success');
    assert.equal(res.body.message, 'File deleted successfully');
    assert.equal(
      (await api.delete('/cmb/user-files/myfile.csv', { token: alice.token })).status,
      404,
    );
    const activity = await api.get('/cmb/activity', { token: alice.token });
    const actions = activity.body.data.activities.map((a: { action: string }) => a.action);
    assert.ok(actions.includes('file_uploaded') && actions.includes('file_deleted'));
  });
});
