/**
 * Wire shapes of CodeGuide's second half (usage, API usage logs, codespace tasks and
 * models), as TypeBox schemas. Credits are decimal numbers (1 credit = $0.001).
 */
import { type TProperties, Type } from 'typebox';
import { IsoTime, Limit, StrictObject } from '../../http/schemas.ts';

const Open = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });
const YMD = () => Type.String({ maxLength: 10, description: 'YYYY-MM-DD' });
const ModelKey = () => Type.String({ minLength: 1, maxLength: 200 });
const Tokens = () => Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
const Seconds = () => Type.Number({ minimum: 0, maximum: 10_000_000 });
const Credits = () => Type.Number({ minimum: 0, maximum: 1_000_000_000 });

// ── Usage ───────────────────────────────────────────────────────────────────
const usageFields = {
  model_key: ModelKey(),
  input_tokens: Tokens(),
  output_tokens: Tokens(),
  call_seconds: Type.Optional(Seconds()),
  cost_amount: Type.Optional(Credits()),
};
export const TrackBody = StrictObject(usageFields);
export const CodespaceTrackBody = StrictObject({
  codespace_task_id: Type.String({ minLength: 1, maxLength: 200 }),
  ...usageFields,
});
export const TrackResultSchema = Type.Object({
  success: Type.Boolean(),
  credits_used: Type.Number(),
  remaining_credits: Type.Number(),
  message: Type.String(),
});
export const UsageRecordSchema = Open({
  id: Type.String(),
  codespace_task_id: Type.String(),
  user_id: Type.String(),
  model_key: Type.String(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  call_seconds: Type.Number(),
  cost_amount: Type.Number(),
  created_at: IsoTime(),
});
export const CodespaceUsageSchema = Type.Object({
  codespace_task_id: Type.String(),
  total_usage: Type.Object({
    total_input_tokens: Type.Integer(),
    total_output_tokens: Type.Integer(),
    total_call_seconds: Type.Number(),
    total_cost: Type.Number(),
  }),
  usage_records: Type.Array(UsageRecordSchema),
});
const Subscription = () => Open({ plan: Type.String(), status: Type.String() });
export const CreditBalanceSchema = Type.Object({
  user_id: Type.String(),
  total_consumed: Type.Number(),
  total_allotted: Type.Number(),
  remaining_credits: Type.Number(),
  utilization_percentage: Type.Number(),
  billing_cycle_start: IsoTime(),
  billing_cycle_end: IsoTime(),
  subscription: Subscription(),
});
const estimateFields = {
  model_key: ModelKey(),
  input_tokens: Type.Optional(Tokens()),
  output_tokens: Type.Optional(Tokens()),
  call_seconds: Type.Optional(Seconds()),
};
export const CreditCheckQuery = Type.Object(estimateFields);
export const CalculateQuery = Type.Object({
  ...estimateFields,
  cost_amount: Type.Optional(Credits()),
});
export const CreditCheckSchema = Type.Object({
  has_sufficient_credits: Type.Boolean(),
  estimated_cost: Type.Number(),
  remaining_credits: Type.Number(),
  model_key: Type.String(),
});
export const CalculateSchema = Type.Object({
  model_key: Type.String(),
  estimated_cost: Type.Number(),
  calculation_breakdown: Type.Object({
    input_cost: Type.Number(),
    output_cost: Type.Number(),
    time_cost: Type.Number(),
    total_cost: Type.Number(),
  }),
});
export const DateRangeQuery = Type.Object({
  start_date: Type.Optional(YMD()),
  end_date: Type.Optional(YMD()),
});
const UsageFigures = {
  calls: Type.Integer(),
  credits_used: Type.Number(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  call_seconds: Type.Number(),
};
export const UsageSummarySchema = Type.Object({
  user_id: Type.String(),
  period: Type.Object({ start_date: Type.String(), end_date: Type.String() }),
  usage_summary: Type.Object({
    total_credits_used: Type.Number(),
    total_calls: Type.Integer(),
    model_breakdown: Type.Record(Type.String(), Type.Object(UsageFigures)),
    daily_usage: Type.Array(Type.Object({ date: Type.String(), ...UsageFigures })),
  }),
  subscription: Subscription(),
});
export const AuthorizationSchema = Type.Object({
  user_id: Type.String(),
  subscription: Open({
    plan: Type.String(),
    status: Type.String(),
    features: Type.Array(Type.String()),
  }),
  usage_limits: Open({ monthly_credits: Type.Number(), max_calls_per_day: Type.Integer() }),
  permissions: Type.Array(Type.String()),
});
export const FreeUserStatusSchema = Type.Object({
  is_free_user: Type.Boolean(),
  has_available_credits: Type.Boolean(),
  credits_remaining: Type.Number(),
  credits_expire_at: IsoTime(),
});
export const UsageHealthSchema = Type.Object({
  status: Type.Literal('healthy'),
  timestamp: IsoTime(),
  version: Type.String(),
});

// ── API usage logs ──────────────────────────────────────────────────────────
export const ApiUsageLogsQuery = Type.Object({
  start_date: Type.Optional(YMD()),
  end_date: Type.Optional(YMD()),
  endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  method: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3,7}$' })),
  limit: Type.Optional(Limit(1000, 100)),
});
export const ApiUsageLogSchema = Open({
  id: Type.String(),
  user_id: Type.String(),
  endpoint: Type.String(),
  method: Type.String(),
  timestamp: IsoTime(),
  status_code: Type.Integer(),
  response_time: Type.Number(),
});

// ── Codespace models ────────────────────────────────────────────────────────
export const CodespaceModelSchema = Open({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  provider: Open({ id: Type.String(), name: Type.String() }),
  capabilities: Type.Array(Type.String()),
  pricing: Open({
    input_per_1m: Type.Number(),
    cached_input_per_1m: Type.Number(),
    output_per_1m: Type.Number(),
    per_second: Type.Number(),
    currency: Type.String(),
  }),
});

// ── Codespace tasks ─────────────────────────────────────────────────────────
const Description = () => Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S' });
const DeploymentConfig = () => Type.Record(Type.String(), Type.Unknown(), { maxProperties: 100 });
export const CreateCodespaceTaskBody = StrictObject({
  project_id: Type.String({ minLength: 1, maxLength: 200 }),
  repository_url: Type.String({ minLength: 1, maxLength: 2000 }),
  task_description: Description(),
  model_id: Type.Optional(ModelKey()),
  deployment_config: Type.Optional(DeploymentConfig()),
});
export const UpdateCodespaceTaskBody = StrictObject({
  task_description: Type.Optional(Description()),
  status: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  deployment_config: Type.Optional(DeploymentConfig()),
});
export const CodespaceTasksQuery = Type.Object({
  project_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  status: Type.Optional(
    Type.Union(
      ['pending', 'running', 'completed', 'failed', 'cancelled'].map((s) => Type.Literal(s)),
    ),
  ),
});
export const CodespaceTaskSchema = Open({
  id: Type.String(),
  project_id: Type.String(),
  repository_url: Type.String(),
  task_description: Type.String(),
  status: Type.String(),
  user_id: Type.String(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
  // Beyond the spec (docs/surfaces/codeguide.md): the run's progress and failure.
  model_id: Type.Union([Type.String(), Type.Null()]),
  progress: Type.Integer({ minimum: 0, maximum: 100 }),
  error_message: Type.Union([Type.String(), Type.Null()]),
});
export const CodespaceTaskDetailSchema = Open({
  ...CodespaceTaskSchema.properties,
  deployment: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  model: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  // Beyond the spec: what the run produced, and links to its artifacts.
  result: Type.Union([
    Open({
      summary: Type.String(),
      changed: Type.Boolean(),
      branch: Type.Union([Type.String(), Type.Null()]),
      commit: Type.Union([Type.String(), Type.Null()]),
      base_commit: Type.String(),
      base_branch: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  files: Type.Record(Type.String(), Type.String(), {
    description:
      'Artifact name → download URL (changes.diff, changes.bundle, summary.md, steps.json, output.json), once the task finished',
  }),
});
