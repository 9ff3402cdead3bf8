/**
 * Wire shapes of CodeGuide's Coolify routes: the spec's two (`GET /coolify/applications`,
 * `POST /coolify/deploy`) and Tasklane's credentials extension (`/coolify/credentials`).
 */
import { type TProperties, Type } from 'typebox';
import { IsoTime, Nullable, StrictObject } from '../../http/schemas.ts';

const Open = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });

export const CoolifyApplicationSchema = Open({
  id: Type.String({ description: "Coolify's application uuid" }),
  name: Type.String(),
  status: Type.String({ description: "Coolify's status word, e.g. running:healthy" }),
  url: Type.String({ description: "The application's first domain, or '' when it has none" }),
  created_at: Nullable(IsoTime()),
});

export const DeployBody = StrictObject({
  application_id: Type.String({
    minLength: 1,
    maxLength: 100,
    description: "Coolify's application uuid (GET /coolify/applications' id)",
  }),
  environment: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'Recorded with the deployment' }),
  ),
  config: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      maxProperties: 100,
      description: 'Recorded with the deployment; `force: true` rebuilds without cache',
    }),
  ),
});
export const DeploySchema = Type.Object({
  status: Type.Literal('success'),
  deployment_id: Type.String(),
  message: Type.String(),
});

export const CredentialsBody = StrictObject({
  base_url: Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'Your Coolify instance, e.g. https://coolify.example.com',
  }),
  token: Type.String({
    minLength: 1,
    maxLength: 1000,
    description: 'A Coolify API token with read and deploy permissions (never shown again)',
  }),
});
export const CredentialsSchema = Type.Object({
  status: Type.Literal('success'),
  configured: Type.Boolean(),
  base_url: Nullable(Type.String()),
  source: Nullable(Type.Union([Type.Literal('user'), Type.Literal('installation')])),
});
