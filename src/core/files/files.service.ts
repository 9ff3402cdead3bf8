/**
 * Stored files: artifacts a run produced and files users uploaded. Downloads go through
 * signed, expiring URLs (HMAC over id and expiry) that work without an auth header, so
 * a result link can be handed to a browser or another tool.
 */
import type { Readable } from 'node:stream';
import type { Ctx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { hmacSha256, safeEqual } from '../shared/crypto.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { BlobTooLargeError } from './blob-store.ts';
import { contentTypeFor } from './content-types.ts';
import * as repo from './files.repo.ts';
import type { StoredFile } from './files.types.ts';

export interface StoreFileInput {
  owner: { tenantId: string; userId: number };
  taskId?: string | null;
  kind: StoredFile['kind'];
  name: string;
  data: Buffer | string | { path: string } | Readable;
  contentType?: string;
  description?: string | null;
  maxBytes?: number;
}

export async function storeFile(ctx: Ctx, input: StoreFileInput): Promise<StoredFile> {
  let blob: Awaited<ReturnType<typeof ctx.runtime.blobs.put>>;
  try {
    blob = await ctx.runtime.blobs.put(input.data, input.maxBytes);
  } catch (error) {
    if (error instanceof BlobTooLargeError)
      throw new DomainError('payload_too_large', `File is larger than ${input.maxBytes} bytes`);
    throw error;
  }
  const now = ctx.clock.now();
  return repo.insertFile(ctx, {
    id: uuidv7(now),
    tenant_id: input.owner.tenantId,
    user_id: input.owner.userId,
    task_id: input.taskId ?? null,
    kind: input.kind,
    name: input.name,
    sha256: blob.sha256,
    size: blob.size,
    content_type: input.contentType ?? contentTypeFor(input.name),
    description: input.description ?? null,
    status: 'uploaded',
    created_at: now,
  });
}

/** A file the acting user may see: their own (or, with scope 'tenant', their tenant's). */
export async function getFile(
  ctx: Ctx,
  id: string,
  scope: 'user' | 'tenant' = 'user',
): Promise<StoredFile> {
  const actor = ctx.actor;
  if (actor.kind !== 'user') throw new DomainError('unauthenticated', 'Not authenticated');
  if (!isUuid(id)) throw notFound('File');
  const file = await repo.findFile(
    ctx,
    id,
    scope === 'user' ? { userId: actor.userId } : { tenantId: actor.tenantId },
  );
  if (!file) throw notFound('File');
  return file;
}

export function listTaskFiles(ctx: Ctx, taskId: string): Promise<StoredFile[]> {
  return repo.listTaskFiles(ctx, taskId);
}

export function openFile(ctx: Ctx, file: StoredFile): Readable {
  return ctx.runtime.blobs.open(file.sha256);
}

/** An absolute URL that downloads the file without credentials until it expires. */
export function signedFileUrl(
  ctx: Ctx,
  file: Pick<StoredFile, 'id' | 'name'>,
  ttlSeconds = 3600,
  baseUrl = ctx.config.publicUrl,
): string {
  const expires = Math.floor(ctx.clock.now() / 1000) + ttlSeconds;
  const signature = sign(ctx, file.id, expires);
  return `${baseUrl}/downloads/${file.id}/${encodeURIComponent(file.name)}?expires=${expires}&signature=${signature}`;
}

/** The file behind a signed URL, or 404 (bad signature) / 410-like 404 (expired). */
export async function fileForSignedUrl(
  ctx: Ctx,
  id: string,
  expires: number,
  signature: string,
): Promise<StoredFile> {
  if (!isUuid(id) || !Number.isInteger(expires)) throw notFound('File');
  if (!safeEqual(sign(ctx, id, expires), signature)) throw notFound('File');
  if (expires * 1000 < ctx.clock.now())
    throw new DomainError('forbidden', 'This download link has expired');
  const file = await repo.findFile(ctx, id, 'any');
  if (!file) throw notFound('File');
  return file;
}

function sign(ctx: Ctx, id: string, expires: number): string {
  return hmacSha256(ctx.keys.urlSigningKey, `${id}.${expires}`).toString('base64url');
}
