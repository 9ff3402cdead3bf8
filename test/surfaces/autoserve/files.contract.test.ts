/** AutoServe /files, field by field against specs/autoserve.md, with bad uploads and isolation. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import {
  type AutoServeUser,
  assertAutoServeError,
  autoserveUser,
  ISO,
  MALFORMED_IDS,
  MISSING_ID,
  UUID,
  upload,
} from './support.ts';

const MAX_UPLOAD = 64 * 1024;
const CSV = 'name,amount\nwidget,3\ngadget,5\n';
let server: TestServer;
let api: Client;
let alice: AutoServeUser;
let bob: AutoServeUser;

before(async () => {
  server = await startServer({ env: { TASKLANE_UPLOAD_MAX_BYTES: String(MAX_UPLOAD) } });
  api = client(server.url);
  alice = await autoserveUser(api, 'alice');
  bob = await autoserveUser(api, 'bob');
});
after(() => server.close());

const fileRows = () =>
  server.runtime.database.db.selectFrom('files').select(['id', 'name']).execute();
/** Blob-store temporaries (an upload in progress or abandoned). */
const tmpFiles = () => fs.readdirSync(path.join(server.runtime.blobs.root, 'tmp'));

describe('POST /files/upload', () => {
  test('the spec fields: id, filename, size, content_type, description, upload_date, status', async () => {
    const res = await upload(
      server.url,
      alice.token,
      { name: 'example.csv', content: CSV, type: 'text/csv' },
      { description: 'Data file for processing' },
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'content_type',
      'description',
      'filename',
      'id',
      'size',
      'status',
      'upload_date',
    ]);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.filename, 'example.csv');
    assert.equal(res.body.size, Buffer.byteLength(CSV));
    assert.equal(res.body.content_type, 'text/csv');
    assert.equal(res.body.description, 'Data file for processing');
    assert.match(res.body.upload_date, ISO);
    assert.equal(res.body.status, 'uploaded');
  });

  test('description may come after the file part and is optional', async () => {
    const form = new FormData();
    form.append('file', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'late.csv');
    form.append('description', 'after the file');
    const res = await fetch(`${server.url}/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    const body = (await res.json()) as any;
    assert.equal(res.status, 200);
    assert.equal(body.description, 'after the file');
    const plain = await upload(server.url, alice.token, { name: 'plain.csv', content: 'x\n' });
    assert.equal(plain.body.description, null);
  });

  test('a path in the filename is never a path: only its last segment is kept', async () => {
    const res = await upload(server.url, alice.token, { name: '../../etc/passwd', content: 'x' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.filename, 'passwd');
  });

  test('too large: 413 PAYLOAD_TOO_LARGE in the error shape, no row and no temporary left', async () => {
    const before = (await fileRows()).length;
    const res = await upload(server.url, alice.token, {
      name: 'big.bin',
      content: new Uint8Array(MAX_UPLOAD + 1),
      type: 'application/octet-stream',
    });
    assertAutoServeError(res, 413, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(res.body.error.details, { limit_bytes: MAX_UPLOAD });
    assert.equal((await fileRows()).length, before);
    assert.deepEqual(tmpFiles(), []);
    // Exactly the limit is fine.
    const ok = await upload(server.url, alice.token, {
      name: 'limit.bin',
      content: new Uint8Array(MAX_UPLOAD),
      type: 'application/octet-stream',
    });
    assert.equal(ok.status, 200, ok.text);
  });

  test('empty file, missing file part, extra parts, not multipart: 4xx, nothing stored', async () => {
    const before = (await fileRows()).length;
    const empty = await upload(server.url, alice.token, { name: 'empty.csv', content: '' });
    assertAutoServeError(empty, 400, 'VALIDATION_ERROR', 'empty');
    assert.equal(empty.body.error.details.field, 'file');

    const form = new FormData();
    form.append('description', 'no file');
    const noFile = await fetch(`${server.url}/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    assert.equal(noFile.status, 400);
    assert.equal(((await noFile.json()) as any).error.details.field, 'file');

    const two = new FormData();
    two.append('file', new Blob(['a']), 'a.txt');
    two.append('other', new Blob(['b']), 'b.txt');
    const res2 = await fetch(`${server.url}/files/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: two,
    });
    assert.ok(res2.status >= 400 && res2.status < 500, `two files → ${res2.status}`);
    await res2.text();

    const json = await api.post('/files/upload', { file: 'x' }, { token: alice.token });
    assertAutoServeError(json, 415, 'UNSUPPORTED_MEDIA_TYPE', 'json');
    const garbage = await api.post('/files/upload', undefined, {
      token: alice.token,
      raw: 'not multipart at all',
      contentType: 'multipart/form-data; boundary=xyz',
    });
    assert.ok(garbage.status >= 400 && garbage.status < 500, `garbage → ${garbage.status}`);
    assert.equal(
      (await fileRows()).length,
      before,
      'a refused form stores no file, not even its first part',
    );
  });

  test('401 without a token', async () => {
    const res = await upload(server.url, '', { name: 'a.csv', content: 'x' });
    assertAutoServeError(res, 401, 'UNAUTHORIZED');
  });
});

describe('GET /files/{id} and /files/{id}/download', () => {
  test('metadata with download_url; the URL downloads the bytes with type and filename', async () => {
    const up = await upload(
      server.url,
      alice.token,
      { name: 'report data.csv', content: CSV, type: 'text/csv' },
      { description: 'd' },
    );
    const res = await api.get(`/files/${up.body.id}`, { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'content_type',
      'description',
      'download_url',
      'filename',
      'id',
      'size',
      'status',
      'upload_date',
    ]);
    assert.deepEqual(
      { ...res.body, download_url: undefined },
      { ...up.body, download_url: undefined },
    );
    assert.equal(res.body.download_url, `${server.url}/files/${up.body.id}/download`);

    const download = await fetch(res.body.download_url, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'text/csv');
    assert.match(download.headers.get('content-disposition') ?? '', /filename="report data.csv"/);
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await download.text(), CSV);
  });

  test("another user's file, unknown and malformed ids: 404; no token: 401", async () => {
    const up = await upload(server.url, alice.token, { name: 'mine.csv', content: CSV });
    for (const path of [`/files/${up.body.id}`, `/files/${up.body.id}/download`]) {
      assertAutoServeError(await api.get(path, { token: bob.token }), 404, 'NOT_FOUND', path);
      assertAutoServeError(await api.get(path), 401, 'UNAUTHORIZED', path);
    }
    for (const id of [MISSING_ID, ...MALFORMED_IDS]) {
      assertAutoServeError(
        await api.get(`/files/${id}`, { token: alice.token }),
        404,
        'NOT_FOUND',
        id,
      );
      assertAutoServeError(
        await api.get(`/files/${id}/download`, { token: alice.token }),
        404,
        'NOT_FOUND',
        id,
      );
    }
  });
});
