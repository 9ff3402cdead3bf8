/**
 * A real OpenID Connect provider in-process (oidc-provider, with its development
 * login and consent pages), and a small "browser" (a cookie jar and manual redirects)
 * that signs in through it the way a person would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Registers the client once the relying party's callback URL is known. */
  configure(...redirectUris: string[]): void;
  close(): Promise<void>;
}

export async function startProvider(): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  let handler: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'tasklane-test';
  const clientSecret = 'tasklane-test-secret-0123456789abcdef';
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    configure(...redirectUris) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: redirectUris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        async findAccount(_ctx, id) {
          const account = accounts.get(id);
          if (!account) return undefined;
          return { accountId: id, claims: async () => ({ sub: id, ...account }) };
        },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
        conformIdTokenClaims: false,
        cookies: { keys: ['oidc-test-cookie-key'] },
        features: { devInteractions: { enabled: true } },
      });
      handler = provider.callback();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A browser: cookies by name (both servers are on 127.0.0.1, which browsers share too). */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** The network: the global fetch when the browser is made (a test may replace the global later). */
  readonly #send = globalThis.fetch.bind(globalThis);

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const res = await this.#send(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /**
   * Starts a login at the relying party and signs in at the provider as `account`
   * (login, then consent), stopping at the redirect back to the callback: returns that
   * URL without visiting it.
   */
  async signInAtProvider(loginUrl: string, account: string, callbackPrefix: string) {
    const start = await this.fetch(loginUrl, { method: 'POST' });
    if (start.status !== 200) throw new Error(`login start: ${start.status} ${await start.text()}`);
    const authUrl = ((await start.json()) as { auth_url: string }).auth_url;
    return this.signInFrom(authUrl, account, callbackPrefix);
  }

  /**
   * From the provider's URL (a login's `auth_url`), signs in as `account` (login, then
   * consent), stopping at the redirect back to the callback: returns that URL unvisited.
   */
  async signInFrom(authUrl: string, account: string, callbackPrefix: string) {
    let next = authUrl;
    for (let hop = 0; hop < 20; hop++) {
      if (next.startsWith(callbackPrefix)) return next;
      const res = await this.fetch(next);
      if (res.status >= 300 && res.status < 400) {
        next = new URL(res.headers.get('location')!, next).href;
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
      if (!action || !prompt)
        throw new Error(`unexpected provider page ${res.status}: ${html.slice(0, 300)}`);
      const form = new URLSearchParams({ prompt });
      if (prompt === 'login') {
        form.set('login', account);
        form.set('password', 'any');
      }
      const posted = await this.fetch(new URL(action, next).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      if (posted.status < 300 || posted.status >= 400)
        throw new Error(`provider form: ${posted.status} ${await posted.text()}`);
      next = new URL(posted.headers.get('location')!, next).href;
    }
    throw new Error('too many redirects at the provider');
  }
}
