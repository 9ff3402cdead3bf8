/**
 * AutoServe files: POST /files/upload (multipart: `file` and an optional
 * `description`), GET /files/{id} (with download_url), GET /files/{id}/download.
 */
import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { DomainError, invalid } from '../../core/errors.ts';
import {
  getUserFile,
  openFile,
  type StagedUpload,
  saveUpload,
  stageUpload,
} from '../../core/files/files.service.ts';
import { ctxOf } from '../../http/context.ts';
import { downloadHeaders } from '../../http/download-headers.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { linksOf } from './links.ts';
import { presentFile, presentFileWithUrl } from './presenters.ts';
import { ErrorSchema, FileIdParams, FileSchema, FileWithUrlSchema } from './schemas.ts';

const tags = ['Files'];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema };
const MAX_DESCRIPTION = 1000;

export async function fileRoutes(app: SurfaceApp): Promise<void> {
  const maxBytes = app.runtime.config.autoserve.uploadMaxBytes;
  await app.register(multipart, {
    limits: {
      fileSize: maxBytes,
      files: 1,
      fields: 4,
      fieldSize: MAX_DESCRIPTION * 4,
      parts: 5,
      headerPairs: 50,
    },
  });

  app.post(
    '/files/upload',
    {
      schema: {
        tags,
        summary: 'Upload a file (multipart/form-data: file, description?)',
        consumes: ['multipart/form-data'],
        response: { 200: FileSchema, ...errors, 413: ErrorSchema, 415: ErrorSchema },
      },
    },
    async (request) => {
      if (!request.isMultipart())
        throw new DomainError(
          'unsupported_media_type',
          'Send the file as multipart/form-data with a "file" part',
        );
      const ctx = ctxOf(request);
      let staged: (StagedUpload & { name: string; contentType: string }) | undefined;
      let description: string | null = null;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file' || staged) {
              part.file.resume();
              throw invalid(part.fieldname, 'Only one file, in the part named "file"', 'extra');
            }
            const bytes = await stageUpload(ctx, part.file, maxBytes);
            staged = { ...bytes, name: part.filename, contentType: part.mimetype };
          } else if (part.fieldname === 'description') {
            if (typeof part.value !== 'string' || part.value.length > MAX_DESCRIPTION)
              throw invalid(
                'description',
                `description must be text of at most ${MAX_DESCRIPTION} characters`,
              );
            description = part.value;
          } else {
            throw invalid(part.fieldname, `Unexpected form field "${part.fieldname}"`, 'extra');
          }
        }
      } catch (error) {
        // The multipart parser's own complaints (truncated or garbled bodies) carry no
        // status: they are the client's malformed request, not our failure.
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new DomainError('payload_too_large', `File is larger than ${maxBytes} bytes`, {
            limit_bytes: maxBytes,
          });
        if (error instanceof DomainError || (error as { statusCode?: number }).statusCode)
          throw error;
        throw invalid('file', `Malformed multipart body: ${(error as Error).message}`);
      }
      if (!staged) throw invalid('file', 'The "file" part is required', 'missing');
      const file = await saveUpload(ctx, staged, {
        name: staged.name,
        contentType: staged.contentType,
        description,
      });
      return presentFile(file);
    },
  );

  app.get(
    '/files/:file_id',
    {
      schema: {
        tags,
        summary: "A file's metadata and download URL",
        params: FileIdParams,
        response: { 200: FileWithUrlSchema, ...errors },
      },
    },
    async (request) =>
      presentFileWithUrl(
        await getUserFile(ctxOf(request), request.params.file_id),
        linksOf(request),
      ),
  );

  app.get(
    '/files/:file_id/download',
    {
      schema: {
        tags,
        summary:
          "The file's bytes, with its stored Content-Type and a Content-Disposition filename",
        params: FileIdParams,
        produces: ['application/octet-stream'],
        response: {
          200: Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'The file' }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const file = await getUserFile(ctx, request.params.file_id);
      return reply
        .headers(downloadHeaders(file))
        .header('content-length', file.size)
        .header('cache-control', 'private, no-store')
        .send(openFile(ctx, file));
    },
  );
}
