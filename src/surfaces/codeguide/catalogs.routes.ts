/** CodeGuide catalogs (document types, AI tools) and the caller's own user. */
import { Type } from 'typebox';
import { getCurrentUser } from '../../core/identity/users.service.ts';
import { listAiTools, listDocumentTypes } from '../../core/projects/catalogs.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentAiTool, presentCatalogEntry, presentMe, success } from './presenters.ts';
import {
  AiToolSchema,
  AiToolsQuery,
  CatalogEntrySchema,
  DocumentTypesQuery,
  ErrorSchema,
  MeSchema,
  Success,
} from './schemas.ts';

const errors = { 401: ErrorSchema, 422: ErrorSchema };

export async function catalogRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/document-types',
    {
      schema: {
        tags: ['Catalogs'],
        summary: 'Active document types (what generation can produce), by ordinal',
        querystring: DocumentTypesQuery,
        response: { 200: Success(Type.Array(CatalogEntrySchema)), ...errors },
      },
    },
    async (request) =>
      success(
        (await listDocumentTypes(ctxOf(request), { key: request.query.key })).map(
          presentCatalogEntry,
        ),
      ),
  );

  app.get(
    '/ai-tools',
    {
      schema: {
        tags: ['Catalogs'],
        summary: 'Active AI tools (what projects select), by ordinal',
        querystring: AiToolsQuery,
        response: { 200: Success(Type.Array(AiToolSchema)), ...errors },
      },
    },
    async (request) => {
      const { key, category } = request.query;
      return success((await listAiTools(ctxOf(request), { key, category })).map(presentAiTool));
    },
  );

  app.get(
    '/users/me',
    {
      schema: {
        tags: ['Users'],
        summary: 'The authenticated user',
        response: { 200: MeSchema, ...errors },
      },
    },
    async (request) => presentMe(await getCurrentUser(ctxOf(request))),
  );
}
