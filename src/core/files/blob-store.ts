/**
 * Content-addressed blobs on the filesystem under the data dir: a blob's name is its
 * SHA-256, so identical content is stored once and a blob never changes.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  sha256: string;
  size: number;
}

export class BlobStore {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** The store under `root`, with its staging dir made (all I/O here is async). */
  static async open(root: string): Promise<BlobStore> {
    await fsp.mkdir(path.join(root, 'tmp'), { recursive: true, mode: 0o700 });
    return new BlobStore(root);
  }

  /** Stores bytes, a file (by path) or a stream; returns its hash and size. */
  async put(
    source: Buffer | string | { path: string } | Readable,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<StoredBlob> {
    const tmp = path.join(this.root, 'tmp', randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    try {
      if (Buffer.isBuffer(source) || typeof source === 'string') {
        const data = Buffer.isBuffer(source) ? source : Buffer.from(source);
        hash.update(data);
        size = data.length;
        await fsp.writeFile(tmp, data, { mode: 0o600 });
      } else {
        const input =
          'path' in source && typeof source.path === 'string' && !('pipe' in source)
            ? fs.createReadStream(source.path)
            : (source as Readable);
        await pipeline(
          input,
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              size += chunk.length;
              if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
              hash.update(chunk);
              yield chunk;
            }
          },
          fs.createWriteStream(tmp, { mode: 0o600 }),
        );
      }
      const sha256 = hash.digest('hex');
      const final = this.path(sha256);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      // Same content already stored: keep the existing blob.
      if (await exists(final)) await fsp.rm(tmp, { force: true });
      else await fsp.rename(tmp, final);
      return { sha256, size };
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      throw error;
    }
  }

  path(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad blob hash');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  open(sha256: string): fs.ReadStream {
    return fs.createReadStream(this.path(sha256));
  }

  read(sha256: string): Promise<Buffer> {
    return fsp.readFile(this.path(sha256));
  }
}

function exists(file: string): Promise<boolean> {
  return fsp.access(file).then(
    () => true,
    () => false,
  );
}

export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
  constructor(limit: number) {
    super(`content exceeds ${limit} bytes`);
  }
}
