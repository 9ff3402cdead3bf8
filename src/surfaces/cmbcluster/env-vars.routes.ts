/** CMBCluster's /user-env-vars: encrypted variables, never shown in clear. */
import { deleteEnvVar, listEnvVars, setEnvVar } from '../../core/environments/env-vars.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { envelope, message, presentEnvVar } from './presenters.ts';
import {
  EnvVarParams,
  EnvVarResponse,
  EnvVarsResponse,
  ErrorSchema,
  MessageSchema,
  SetEnvVarBody,
} from './schemas.ts';

export async function envVarRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/user-env-vars',
    {
      schema: {
        tags: ['Environment Variables'],
        summary: 'List your environment variables (values are never shown)',
        response: { 200: EnvVarsResponse, 401: ErrorSchema },
      },
    },
    async (request) =>
      envelope({ env_vars: (await listEnvVars(ctxOf(request))).map(presentEnvVar) }),
  );

  app.post(
    '/user-env-vars',
    {
      schema: {
        tags: ['Environment Variables'],
        summary: 'Add or update an environment variable (encrypted at rest)',
        body: SetEnvVarBody,
        response: { 200: EnvVarResponse, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) =>
      envelope(
        presentEnvVar(await setEnvVar(ctxOf(request), request.body.key, request.body.value)),
      ),
  );

  app.delete(
    '/user-env-vars/:key',
    {
      schema: {
        tags: ['Environment Variables'],
        summary: 'Delete an environment variable',
        params: EnvVarParams,
        response: { 200: MessageSchema(), 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      await deleteEnvVar(ctxOf(request), request.params.key);
      return message('Environment variable deleted');
    },
  );
}
