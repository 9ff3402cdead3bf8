/**
 * AutoServe's ML controller: scaling predictions and history for Tasklane's own worker
 * pool, and model retraining (admins). Mounted with the rest of the surface, not on a
 * separate host as the spec's production split shows.
 */

import { HostProbe } from '../../core/autoscale/host-probe.ts';
import { predictScaling, scalingHistory } from '../../core/autoscale/reports.service.ts';
import { requestRetrain } from '../../core/autoscale/retrain.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentHistory, presentPredictions, presentRetrain } from './ml.presenters.ts';
import {
  HistoryQuery,
  HistorySchema,
  PredictionsSchema,
  RetrainBody,
  RetrainSchema,
} from './ml.schemas.ts';
import { ErrorSchema } from './schemas.ts';

/** Newest decisions listed at most (total_decisions counts them all). */
const HISTORY_LIMIT = 1000;

export async function mlRoutes(app: SurfaceApp): Promise<void> {
  const probe = new HostProbe();

  app.get(
    '/ml/scaling/predictions',
    {
      schema: {
        tags: ['ML Controller'],
        summary: 'Scaling predictions for the worker pool',
        response: { 200: PredictionsSchema, 401: ErrorSchema },
      },
    },
    async (request) => presentPredictions(await predictScaling(ctxOf(request), probe)),
  );

  app.get(
    '/ml/scaling/history',
    {
      schema: {
        tags: ['ML Controller'],
        summary: 'Scaling decisions of the last hours (max 168)',
        querystring: HistoryQuery,
        response: { 200: HistorySchema, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) =>
      presentHistory(
        await scalingHistory(ctxOf(request), {
          hours: request.query.hours ?? 24,
          limit: HISTORY_LIMIT,
        }),
      ),
  );

  app.post(
    '/ml/model/retrain',
    {
      schema: {
        tags: ['ML Controller'],
        summary: 'Retrain the scaling model in the background (admins)',
        body: RetrainBody,
        response: {
          200: RetrainSchema,
          202: RetrainSchema,
          400: ErrorSchema,
          401: ErrorSchema,
          403: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const outcome = await requestRetrain(ctxOf(request), {
        modelType: body.model_type ?? 'scaling_predictor',
        trainingHours: body.training_hours ?? 168,
        force: body.force_retrain ?? false,
      });
      return reply.code(outcome.status === 'started' ? 202 : 200).send(presentRetrain(outcome));
    },
  );
}
