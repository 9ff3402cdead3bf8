/** Shared set-up for AutoServe's contract tests: users through its own API, uploads, polling. */
import assert from 'node:assert/strict';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import type { Client, Response } from '../../helpers/http.ts';

export const BODY_LIMIT = 8192;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A well-formed id that nothing has. */
export const MISSING_ID = '01890000-0000-7000-8000-000000000000';
/** Ids that are not ids at all: each is a 404, like an unknown one. */
export const MALFORMED_IDS = ['not-an-id', '12345', 'x'.repeat(80)];

let counter = 0;

export interface AutoServeUser {
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Registers and logs in through /users/register and /auth/login. */
export async function autoserveUser(api: Client, prefix = 'as'): Promise<AutoServeUser> {
  counter += 1;
  const username = `${prefix}${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const password = 'password-123';
  const reg = await api.post('/users/register', {
    username,
    password,
    email: `${username}@example.com`,
    full_name: 'Test User',
  });
  assert.equal(reg.status, 201, reg.text);
  const login = await api.post('/auth/login', { username, password });
  assert.equal(login.status, 200, login.text);
  return {
    username,
    password,
    token: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}

/** POST /files/upload as multipart/form-data (what an SDK or curl -F sends). */
export async function upload(
  base: string,
  token: string,
  file: { name: string; content: string | Uint8Array; type?: string },
  fields: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append(
    'file',
    new Blob([typeof file.content === 'string' ? file.content : Buffer.from(file.content)], {
      type: file.type ?? 'text/csv',
    }),
    file.name,
  );
  const res = await fetch(`${base}/files/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text;
  return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : text, text };
}

/** A 4xx in AutoServe's error shape with this status and code. */
export function assertAutoServeError(res: Response, status: number, code: string, context = '') {
  assert.equal(res.status, status, `${context} → ${res.status} ${res.text}`);
  assertErrorShape('autoserve', res, context);
  assert.equal(res.body.error.code, code, context);
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 180_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** GET /tasks/{id} until its status is one of `statuses`. */
export function waitForStatus(api: Client, token: string, id: string, statuses: string[]) {
  return waitFor(`task ${id} to be ${statuses.join('/')}`, async () => {
    const res = await api.get(`/tasks/${id}`, { token });
    assert.equal(res.status, 200, res.text);
    return statuses.includes(res.body.status) ? res.body : undefined;
  });
}
