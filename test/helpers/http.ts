/** A thin fetch wrapper for tests: real HTTP, parsed JSON, headers kept. */
export interface Response<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** Raw body (string) sent as is; otherwise `json` is serialised. */
  raw?: string | Uint8Array;
  contentType?: string;
}

export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  json?: unknown,
  options: RequestOptions = {},
): Promise<Response<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    if (options.contentType) headers['content-type'] = options.contentType;
  } else if (json !== undefined) {
    body = JSON.stringify(json);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Bound to one server: api.get('/path', {token}). */
export function client(base: string) {
  return {
    get: <T = any>(path: string, options?: RequestOptions) =>
      request<T>(base, 'GET', path, undefined, options),
    delete: <T = any>(path: string, options?: RequestOptions) =>
      request<T>(base, 'DELETE', path, undefined, options),
    post: <T = any>(path: string, json?: unknown, options?: RequestOptions) =>
      request<T>(base, 'POST', path, json, options),
    put: <T = any>(path: string, json?: unknown, options?: RequestOptions) =>
      request<T>(base, 'PUT', path, json, options),
    patch: <T = any>(path: string, json?: unknown, options?: RequestOptions) =>
      request<T>(base, 'PATCH', path, json, options),
  };
}
export type Client = ReturnType<typeof client>;
