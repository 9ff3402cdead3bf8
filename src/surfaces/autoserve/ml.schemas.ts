/** AutoServe's ML controller shapes (specs/autoserve.md, "ML Controller API"), as TypeBox. */
import { Type } from 'typebox';
import { IsoTime, Nullable, OptionalBody } from '../../http/schemas.ts';

export const PredictionsSchema = Type.Object({
  timestamp: IsoTime(),
  predictions: Type.Array(
    Type.Object({
      service: Type.String({ description: 'Always `worker`: Tasklane’s own worker pool' }),
      current_replicas: Type.Integer({ description: 'Job slots of the live workers now' }),
      predicted_replicas: Type.Integer(),
      confidence: Nullable(
        Type.Number({
          description:
            'Probability that predicted_replicas keeps up with the forecast; null when the threshold rule decided',
        }),
      ),
      reason: Type.String(),
      prediction_horizon: Type.String({ examples: ['5m'] }),
    }),
  ),
  model_version: Nullable(
    Type.String({ description: 'Increments on every retrain; null before the first' }),
  ),
  model_accuracy: Nullable(
    Type.Number({ description: '1 − WAPE on the holdout window at training time' }),
  ),
});

export const HistoryQuery = Type.Object(
  { hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168, default: 24 })) },
  { additionalProperties: false },
);

export const HistorySchema = Type.Object({
  history: Type.Array(
    Type.Object({
      timestamp: IsoTime(),
      service: Type.String(),
      action: Type.Union([Type.Literal('scale_up'), Type.Literal('scale_down')]),
      from_replicas: Type.Integer(),
      to_replicas: Type.Integer(),
      trigger: Type.Union([
        Type.Literal('ml_prediction'),
        Type.Literal('threshold'),
        Type.Literal('manual'),
      ]),
      metrics: Type.Object({
        cpu_usage: Type.Number(),
        memory_usage: Type.Number(),
        request_rate: Type.Number({ description: 'Job arrivals per second at the pool' }),
      }),
    }),
  ),
  total_decisions: Type.Integer(),
  accuracy_rate: Nullable(
    Type.Number({
      description: 'Share of past forecasts within tolerance; null before any can be judged',
    }),
  ),
});

export const RetrainBody = OptionalBody({
  model_type: Type.Optional(Type.Literal('scaling_predictor', { default: 'scaling_predictor' })),
  training_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168, default: 168 })),
  force_retrain: Type.Optional(Type.Boolean({ default: false })),
});

export const RetrainSchema = Type.Object({
  job_id: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('started'), Type.Literal('skipped')]),
  estimated_duration: Type.String({ examples: ['30s'] }),
  message: Type.String(),
});
