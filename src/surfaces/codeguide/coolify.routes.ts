/**
 * CodeGuide's Coolify routes: the spec's `GET /coolify/applications` and
 * `POST /coolify/deploy`, and Tasklane's extension `/coolify/credentials` (PUT, GET,
 * DELETE) where a user saves their own Coolify URL and API token. The token is never
 * returned.
 */
import { Type } from 'typebox';
import {
  type CoolifyApplication,
  type CoolifyCredentialsInfo,
  deleteCoolifyCredentials,
  deployApplication,
  getCoolifyCredentials,
  listApplications,
  setCoolifyCredentials,
} from '../../core/deploys/deploys.service.ts';
import { requireUser } from '../../core/identity/users.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import {
  CoolifyApplicationSchema,
  CredentialsBody,
  CredentialsSchema,
  DeployBody,
  DeploySchema,
} from './coolify-schemas.ts';
import { success, successMessage } from './presenters.ts';
import { ErrorSchema, Success, SuccessMessage } from './schemas.ts';

const tags = ['Coolify'];
/** Not configured is a 503; Coolify failing or refusing the token a 502. */
const upstream = { 502: ErrorSchema, 503: ErrorSchema };
const errors = { 401: ErrorSchema, 422: ErrorSchema };

const presentApplication = (app: CoolifyApplication) => ({
  id: app.id,
  name: app.name,
  status: app.status,
  url: app.url,
  created_at: app.createdAt === null ? null : new Date(app.createdAt).toISOString(),
});
const presentCredentials = (info: CoolifyCredentialsInfo) => ({
  status: 'success' as const,
  configured: info.configured,
  base_url: info.baseUrl,
  source: info.source,
});

export async function coolifyRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/coolify/applications',
    {
      schema: {
        tags,
        summary: "The Coolify applications your credentials (or the installation's) can see",
        response: { 200: Success(Type.Array(CoolifyApplicationSchema)), ...errors, ...upstream },
      },
    },
    async (request) => success((await listApplications(ctxOf(request))).map(presentApplication)),
  );

  app.post(
    '/coolify/deploy',
    {
      schema: {
        tags,
        summary: 'Start a deployment of a Coolify application',
        body: DeployBody,
        response: { 200: DeploySchema, 404: ErrorSchema, ...errors, ...upstream },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const b = request.body;
      const deployment = await deployApplication(ctx, requireUser(ctx), {
        applicationId: b.application_id,
        environment: b.environment,
        config: b.config,
      });
      return {
        status: 'success' as const,
        deployment_id: deployment.deploymentId,
        message:
          deployment.status === 'queued'
            ? 'Deployment started'
            : `Deployment not started: ${deployment.message || 'Coolify skipped it'}`,
      };
    },
  );

  app.put(
    '/coolify/credentials',
    {
      schema: {
        tags,
        summary: 'Save your Coolify URL and API token (Tasklane extension; the token is sealed)',
        body: CredentialsBody,
        response: { 200: CredentialsSchema, ...errors },
      },
    },
    async (request) =>
      presentCredentials(
        await setCoolifyCredentials(ctxOf(request), {
          baseUrl: request.body.base_url,
          token: request.body.token,
        }),
      ),
  );

  app.get(
    '/coolify/credentials',
    {
      schema: {
        tags,
        summary: "Which Coolify your calls use: yours, the installation's, or none (extension)",
        response: { 200: CredentialsSchema, 401: ErrorSchema },
      },
    },
    async (request) => presentCredentials(await getCoolifyCredentials(ctxOf(request))),
  );

  app.delete(
    '/coolify/credentials',
    {
      schema: {
        tags,
        summary: 'Forget your Coolify credentials (extension)',
        response: { 200: SuccessMessage, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      await deleteCoolifyCredentials(ctxOf(request));
      return successMessage('Coolify credentials deleted');
    },
  );
}
