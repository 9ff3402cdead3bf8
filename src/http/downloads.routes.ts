/**
 * GET /downloads/:id/:name?expires=…&signature=… — signed, expiring artifact links that
 * need no auth header (Codeep's result_urls). The name in the path is cosmetic (it
 * makes the URL end in the file's name); the signature covers the id and expiry. Files
 * are served with download-headers.ts's headers: attachments unless their type is safe
 * to show, never able to run script on our origin.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createContext, systemActor } from '../core/context.ts';
import { fileForSignedUrl, openFile } from '../core/files/files.service.ts';
import { downloadHeaders } from './download-headers.ts';
import { MAX_EPOCH_SECONDS } from './schemas.ts';

export async function downloadRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/downloads/:id/:name',
    {
      config: { auth: 'none' },
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String(), name: Type.String() }),
        querystring: Type.Object({
          expires: Type.Integer({ minimum: 0, maximum: MAX_EPOCH_SECONDS }),
          signature: Type.String({ maxLength: 100 }),
        }),
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { expires, signature } = request.query as { expires: number; signature: string };
      const ctx = createContext(app.runtime, systemActor, request.log);
      const file = await fileForSignedUrl(ctx, id, expires, signature);
      return reply
        .headers(downloadHeaders(file))
        .header('content-length', file.size)
        .header('cache-control', 'private, max-age=300')
        .send(openFile(ctx, file));
    },
  );
}
