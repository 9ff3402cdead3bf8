/**
 * Typed clients for the public APIs, from the types generated out of the server's
 * OpenAPI documents (src/api/*.d.ts, `npm run console:types` at the repository root).
 * A route the console uses that changes shape breaks `tsc` here.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths as AutoservePaths } from '../../../clients/typescript/src/paths/autoserve';
import type { paths as CmbclusterPaths } from '../../../clients/typescript/src/paths/cmbcluster';
import type { paths as CodeepPaths } from '../../../clients/typescript/src/paths/codeep';
import type { paths as CodeguidePaths } from '../../../clients/typescript/src/paths/codeguide';
import type { paths as TaskAssistantPaths } from '../../../clients/typescript/src/paths/taskassistant';
import { getSession, setSession } from './session';
import { surfaceUrl } from './settings';

const auth: Middleware = {
  onRequest({ request }) {
    const session = getSession();
    // Without a token (a cookie-only single sign-on) the same-origin request carries the
    // session cookie by itself.
    if (session?.token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${session.token}`);
    }
    return request;
  },
  onResponse({ response }) {
    // The token expired or the session was ended elsewhere: back to sign-in.
    if (response.status === 401 && getSession()) setSession(null);
    return response;
  },
};

export const codeep = createClient<CodeepPaths>({ baseUrl: surfaceUrl('codeep') });
export const taskAssistant = createClient<TaskAssistantPaths>({
  baseUrl: surfaceUrl('taskassistant', '/api/v1'),
});
export const autoserve = createClient<AutoservePaths>({ baseUrl: surfaceUrl('autoserve') });
export const cmbcluster = createClient<CmbclusterPaths>({ baseUrl: surfaceUrl('cmbcluster') });
export const codeguide = createClient<CodeguidePaths>({ baseUrl: surfaceUrl('codeguide') });
for (const client of [codeep, taskAssistant, autoserve, cmbcluster, codeguide]) client.use(auth);

/** A readable message from any surface's error body ({msg, error}, {detail}, …). */
export function errorMessage(error: unknown, fallback = 'Request failed'): string {
  if (!error || typeof error !== 'object') return fallback;
  const body = error as Record<string, unknown>;
  if (typeof body.msg === 'string') {
    return typeof body.error === 'string' ? `${body.msg}: ${body.error}` : body.msg;
  }
  if (typeof body.detail === 'string') return body.detail;
  if (Array.isArray(body.detail)) {
    return body.detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).join('.')}: ${d.msg}`)
      .join('; ');
  }
  if (typeof body.message === 'string') return body.message;
  if (typeof body.error === 'string') return body.error;
  return fallback;
}

/** Unwraps an openapi-fetch result: the data, or an Error with the API's message. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined) return result.data;
  throw new Error(errorMessage(result.error, `HTTP ${result.response.status}`));
}
