/**
 * Task Assistant webhooks: subscriptions (CRUD), their deliveries with every attempt,
 * and a test delivery. Deliveries are signed per Standard Webhooks.
 */
import { Type } from 'typebox';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  sendTestDelivery,
  updateWebhook,
} from '../../core/webhooks/webhooks.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentDelivery, presentWebhook } from './presenters.ts';
import {
  CreateWebhookBody,
  ErrorSchema,
  IdParams,
  ListOf,
  Page,
  UpdateWebhookBody,
  WebhookSchema,
} from './schemas.ts';

const security = [{ bearerAuth: [] }];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };

export async function webhookRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Subscribe a URL to event types (private addresses are refused unless allowed)',
        security,
        body: CreateWebhookBody,
        response: { 201: WebhookSchema, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { webhook, secret } = await createWebhook(ctxOf(request), {
        url: b.url,
        eventTypes: b.event_types,
        secret: b.secret,
        description: b.description,
        isActive: b.is_active,
      });
      const { id, url, event_types, is_active, created_at } = presentWebhook(webhook);
      // A secret the server generated is shown once, here.
      return reply
        .code(201)
        .send({ id, url, event_types, is_active, created_at, ...(b.secret ? {} : { secret }) });
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['Webhooks'],
        summary: "The tenant's webhooks",
        security,
        querystring: Page,
        response: { 200: ListOf(WebhookSchema), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const page = await listWebhooks(ctxOf(request), { limit, offset });
      return { items: page.items.map(presentWebhook), total: page.total, limit, offset };
    },
  );

  app.get(
    '/webhooks/:id',
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'A webhook',
        security,
        params: IdParams,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => presentWebhook(await getWebhook(ctxOf(request), request.params.id)),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Update a webhook (re-enable one disabled by a 410 with is_active: true)',
        security,
        params: IdParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookSchema, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      return presentWebhook(
        await updateWebhook(ctxOf(request), request.params.id, {
          url: b.url,
          eventTypes: b.event_types,
          secret: b.secret,
          description: b.description,
          isActive: b.is_active,
        }),
      );
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Delete a webhook',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteWebhook(ctxOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Deliveries, newest first, each with its attempts',
        security,
        params: IdParams,
        querystring: Page,
        response: { 200: ListOf(Type.Object({}, { additionalProperties: true })), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const page = await listDeliveries(ctxOf(request), request.params.id, { limit, offset });
      return { items: page.items.map(presentDelivery), total: page.total, limit, offset };
    },
  );

  app.post(
    '/webhooks/:id/test',
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Send a signed `webhook.test` event now and report the answer',
        security,
        params: IdParams,
        response: {
          200: Type.Object({
            delivery_id: Type.String(),
            success: Type.Boolean(),
            status_code: Type.Union([Type.Integer(), Type.Null()]),
            error: Type.Union([Type.String(), Type.Null()]),
            duration_ms: Type.Integer(),
            attempt: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (request) => sendTestDelivery(ctxOf(request), request.params.id),
  );
}
