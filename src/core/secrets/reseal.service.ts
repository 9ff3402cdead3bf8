/**
 * Key rotation for stored secrets: re-seals every sealed value that the current key did
 * not seal (API key copies, webhook signing secrets, CMBCluster variables, Coolify API
 * tokens), so the previous keys can then be dropped. Safe while the server runs: each row is replaced
 * only if it has not changed since it was read, and a value that opens with no key held
 * is counted, never destroyed. OIDC login states are not walked: they expire within
 * TASKLANE_OIDC_STATE_TTL and open with the previous keys until then.
 */
import type { Ctx } from '../context.ts';
import * as deploysRepo from '../deploys/deploys.repo.ts';
import { coolifyTokenAad } from '../deploys/deploys.service.ts';
import * as envVarsRepo from '../environments/env-vars.repo.ts';
import { envVarAad } from '../environments/env-vars.service.ts';
import { apiKeyAad } from '../identity/api-keys.ts';
import * as identityRepo from '../identity/identity.repo.ts';
import { webhookSecretAad } from '../webhooks/signing.ts';
import * as webhooksRepo from '../webhooks/webhooks.repo.ts';

export interface ResealCount {
  store: string;
  /** Values sealed by another key that were found. */
  stale: number;
  resealed: number;
  /** Opened by no key this server holds (sealed under a key that is gone): left as is. */
  unreadable: number;
}

/** One column of sealed values, walked in batches after a cursor. */
interface SealedStore<Cursor> {
  name: string;
  start: Cursor;
  list(
    ctx: Ctx,
    keyId: string,
    after: Cursor,
  ): Promise<{ cursor: Cursor; sealed: string; aad: string }[]>;
  replace(ctx: Ctx, at: Cursor, from: string, to: string): Promise<boolean>;
}

const STORES: SealedStore<never>[] = [
  store({
    name: 'api keys',
    start: 0,
    list: async (ctx, keyId, after: number) =>
      (await identityRepo.listApiKeysSealedByOtherKey(ctx, keyId, after)).map((row) => ({
        cursor: row.id,
        sealed: row.sealed!,
        aad: apiKeyAad(row.uuid),
      })),
    replace: identityRepo.replaceSealedApiKey,
  }),
  store({
    name: 'webhook secrets',
    start: '',
    list: async (ctx, keyId, after: string) =>
      (await webhooksRepo.listSecretsSealedByOtherKey(ctx, keyId, after)).map((row) => ({
        cursor: row.id,
        sealed: row.sealed,
        aad: webhookSecretAad(row.id),
      })),
    replace: webhooksRepo.replaceSealedSecret,
  }),
  store({
    name: 'environment variables',
    start: { userId: 0, key: '' },
    list: async (ctx, keyId, after: { userId: number; key: string }) =>
      (await envVarsRepo.listValuesSealedByOtherKey(ctx, keyId, after)).map((row) => ({
        cursor: { userId: row.user_id, key: row.key },
        sealed: row.sealed,
        aad: envVarAad(row.uuid, row.key),
      })),
    replace: envVarsRepo.replaceSealedValue,
  }),
  store({
    name: 'coolify tokens',
    start: 0,
    list: async (ctx, keyId, after: number) =>
      (await deploysRepo.listTokensSealedByOtherKey(ctx, keyId, after)).map((row) => ({
        cursor: row.user_id,
        sealed: row.sealed,
        aad: coolifyTokenAad(row.uuid, row.base_url),
      })),
    replace: deploysRepo.replaceSealedToken,
  }),
];

// Erases each store's cursor type so the list can hold them all.
function store<Cursor>(definition: SealedStore<Cursor>): SealedStore<never> {
  return definition as unknown as SealedStore<never>;
}

export async function resealSecrets(
  ctx: Ctx,
  onProgress?: (count: ResealCount) => void,
): Promise<ResealCount[]> {
  const box = ctx.keys.box;
  const counts: ResealCount[] = [];
  for (const sealedStore of STORES) {
    const count: ResealCount = { store: sealedStore.name, stale: 0, resealed: 0, unreadable: 0 };
    let cursor = sealedStore.start;
    for (;;) {
      const batch = await sealedStore.list(ctx, box.keyId, cursor);
      if (batch.length === 0) break;
      for (const row of batch) {
        count.stale++;
        let plaintext: string;
        try {
          plaintext = box.open(row.sealed, row.aad);
        } catch {
          count.unreadable++;
          continue;
        }
        if (await sealedStore.replace(ctx, row.cursor, row.sealed, box.seal(plaintext, row.aad)))
          count.resealed++;
      }
      cursor = batch.at(-1)!.cursor;
      onProgress?.({ ...count });
    }
    counts.push(count);
  }
  return counts;
}
