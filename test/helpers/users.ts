/** Creates users through the real HTTP APIs. */
import type { Client } from './http.ts';

let counter = 0;

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
  token: string;
  apiKey: string;
}

/** Registers and logs in through Codeep (the surface that shows integer ids and API keys). */
export async function createUser(api: Client, prefix = 'user'): Promise<TestUser> {
  counter += 1;
  const username = `${prefix}${counter}_${Math.random().toString(36).slice(2, 8)}`;
  const email = `${username}@example.com`;
  const password = 'correct horse battery';
  const reg = await api.post('/v1/auth/register', { username, email, password });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${reg.text}`);
  const login = await api.post('/v1/auth/login', { username, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return {
    id: reg.body.user.id,
    username,
    email,
    password,
    token: login.body.access_token,
    apiKey: reg.body.user.api_key,
  };
}
