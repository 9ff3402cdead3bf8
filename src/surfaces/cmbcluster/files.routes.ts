/** CMBCluster's /user-files: the user's workspace (what their environments mount). */
import multipart from '@fastify/multipart';
import {
  deleteUserFile,
  downloadUserFile,
  listUserFiles,
  uploadUserFile,
} from '../../core/environments/user-files.service.ts';
import { DomainError, invalid } from '../../core/errors.ts';
import { contentTypeFor } from '../../core/files/content-types.ts';
import { ctxOf } from '../../http/context.ts';
import { downloadHeaders } from '../../http/download-headers.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { envelope, message, presentUploadedFile, presentUserFile } from './presenters.ts';
import {
  ErrorSchema,
  FileParams,
  FilesResponse,
  MessageSchema,
  UploadResponse,
} from './schemas.ts';

export async function fileRoutes(app: SurfaceApp): Promise<void> {
  const limits = app.runtime.config.cmbcluster.userFiles;

  // Multipart is accepted by the upload route only; every other route stays JSON.
  await app.register(async (upload) => {
    await upload.register(multipart, {
      // The name as sent: a path is refused (400), not quietly cut to its last part.
      preservePath: true,
      // One more byte than allowed, so the core sees (and refuses) an oversized file.
      limits: { fileSize: limits.maxFileBytes + 1, files: 1, fields: 4, parts: 5 },
    });
    upload.post(
      '/user-files/upload',
      {
        schema: {
          tags: ['Files'],
          summary: 'Upload a file to your workspace (multipart field "file")',
          consumes: ['multipart/form-data'],
          response: {
            200: UploadResponse,
            400: ErrorSchema,
            401: ErrorSchema,
            413: ErrorSchema,
            415: ErrorSchema,
          },
        },
      },
      async (request) => {
        if (!request.isMultipart())
          throw new DomainError(
            'unsupported_media_type',
            'Send multipart/form-data with the file in the field "file"',
          );
        const part = await request.file();
        if (!part) throw invalid('file', 'a file is required (multipart field "file")');
        try {
          if (part.fieldname !== 'file')
            throw invalid('file', 'the file must be sent in the multipart field "file"');
          const file = await uploadUserFile(ctxOf(request), part.filename, part.file);
          return envelope(presentUploadedFile(file));
        } finally {
          part.file.resume();
        }
      },
    );
  });

  app.get(
    '/user-files',
    {
      schema: {
        tags: ['Files'],
        summary: 'List the files in your workspace',
        response: { 200: FilesResponse, 401: ErrorSchema },
      },
    },
    async (request) =>
      envelope({ files: (await listUserFiles(ctxOf(request))).map(presentUserFile) }),
  );

  app.get(
    '/user-files/:filename',
    {
      schema: {
        tags: ['Files'],
        summary: 'Download a file from your workspace',
        params: FileParams,
        response: { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { file, stream } = await downloadUserFile(ctxOf(request), request.params.filename);
      return reply
        .headers(
          downloadHeaders({ name: file.filename, contentType: contentTypeFor(file.filename) }),
        )
        .header('content-length', String(file.sizeBytes))
        .send(stream as never);
    },
  );

  app.delete(
    '/user-files/:filename',
    {
      schema: {
        tags: ['Files'],
        summary: 'Delete a file from your workspace',
        params: FileParams,
        response: { 200: MessageSchema(), 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      await deleteUserFile(ctxOf(request), request.params.filename);
      return message('File deleted successfully');
    },
  );
}
