/**
 * Stored files: artifacts a run produced and files users uploaded. Downloads go through
 * signed, expiring URLs (HMAC over id and expiry) that work without an auth header, so
 * a result link can be handed to a browser or another tool.
 */
import type { Readable } from 'node:stream';
import type { Ctx } from '../context.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
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

/** Bytes of an upload already in the blob store, waiting for its row. */
export interface StagedUpload {
  sha256: string;
  size: number;
}

/**
 * First half of an upload: streams the bytes into the blob store (through a temporary
 * file removed on any failure), so a too-large or empty upload leaves nothing behind.
 * The multipart form may send its other fields after the file, hence two steps.
 */
export async function stageUpload(
  ctx: Ctx,
  data: Readable,
  maxBytes: number,
): Promise<StagedUpload> {
  requireUser(ctx);
  let blob: StagedUpload;
  try {
    blob = await ctx.runtime.blobs.put(data, maxBytes);
  } catch (error) {
    if (error instanceof BlobTooLargeError)
      throw new DomainError('payload_too_large', `File is larger than ${maxBytes} bytes`, {
        limit_bytes: maxBytes,
      });
    throw error;
  }
  if (blob.size === 0) throw invalid('file', 'The file is empty', 'value_error');
  return blob;
}

/** Second half: the caller's file row for staged bytes. The name is shown, never used as a path. */
export async function saveUpload(
  ctx: Ctx,
  staged: StagedUpload,
  input: { name: string; contentType?: string; description?: string | null },
): Promise<StoredFile> {
  const actor = requireUser(ctx);
  const name = cleanFileName(input.name);
  if (!name) throw invalid('file', 'The file part needs a filename', 'missing');
  const now = ctx.clock.now();
  return repo.insertFile(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    task_id: null,
    kind: 'upload',
    name,
    sha256: staged.sha256,
    size: staged.size,
    content_type: input.contentType || contentTypeFor(name),
    description: input.description ?? null,
    status: 'uploaded',
    created_at: now,
  });
}

/** One of the caller's files (an upload or a task's output), or 404. */
export async function getUserFile(ctx: Ctx, id: string): Promise<StoredFile> {
  const actor = requireUser(ctx);
  if (!isUuid(id)) throw notFound('File');
  const file = await repo.findFile(ctx, id, { userId: actor.userId });
  if (!file) throw notFound('File');
  return file;
}

/** A display name: the last path segment, no control characters, at most 255 characters. */
function cleanFileName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  let clean = '';
  for (const ch of last) if (ch.charCodeAt(0) >= 0x20 && ch !== '\x7f') clean += ch;
  return clean.trim().slice(0, 255);
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
