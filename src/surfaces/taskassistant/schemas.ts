/** Task Assistant's wire shapes (specs/taskassistant-v1.md), as TypeBox schemas. */
import { type TProperties, type TSchema, Type } from 'typebox';
import {
  IsoTime,
  Limit,
  Nullable,
  Offset,
  OptionalBody,
  StrictObject,
  Text,
} from '../../http/schemas.ts';

export const ErrorSchema = Type.Object({
  detail: Type.Unknown(),
  error_code: Type.Optional(Type.String()),
  timestamp: Type.Optional(IsoTime()),
  retry_after: Type.Optional(Type.Integer()),
});

export const RegisterBody = StrictObject({
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Text(256, 8),
  full_name: Type.Optional(Nullable(Text(200, 0))),
  tenant_name: Type.Optional(Text(200)),
});

export const RegisteredUserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  full_name: Nullable(Type.String()),
  role: Type.String(),
  tenant_id: Type.String({ format: 'uuid' }),
  created_at: IsoTime(),
});

export const LoginBody = StrictObject({ email: Text(254), password: Text(256) });

/** Refresh takes the current access token in the header; a refresh_token in the body also works. */
export const RefreshBody = OptionalBody({ refresh_token: Type.Optional(Text(200)) });

export const TokenSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
});

// ── Tasks ───────────────────────────────────────────────────────────────────
const TaStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('completed'),
  Type.Literal('failed'),
]);
const TaPriority = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);
const Metadata = Type.Record(Type.String(), Type.Unknown());
/** Response objects keep any field the presenter adds (documented fields are listed). */
const Open = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });

export const Page = Type.Object(
  {
    limit: Type.Optional(Limit(100, 50)),
    offset: Type.Optional(Offset()),
  },
  { additionalProperties: true },
);

export const TaskListQuery = Type.Object(
  {
    status: Type.Optional(TaStatus),
    priority: Type.Optional(TaPriority),
    limit: Type.Optional(Limit(100, 50)),
    offset: Type.Optional(Offset()),
  },
  { additionalProperties: true },
);

export const CreateTaskBody = StrictObject({
  title: Text(500),
  description: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
  priority: Type.Optional(TaPriority),
  due_date: Type.Optional(Nullable(IsoTime())),
  metadata: Type.Optional(Metadata),
});

export const UpdateTaskBody = StrictObject({
  title: Type.Optional(Text(500)),
  description: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
  priority: Type.Optional(TaPriority),
  due_date: Type.Optional(Nullable(IsoTime())),
  metadata: Type.Optional(Metadata),
  status: Type.Optional(TaStatus),
  result: Type.Optional(Type.Unknown()),
});

export const TaskSchema = Open({
  id: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  status: TaStatus,
  priority: TaPriority,
  due_date: Nullable(Type.String()),
  created_at: Type.String(),
});

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

// ── Tenant ──────────────────────────────────────────────────────────────────
export const AddMemberBody = StrictObject({
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Text(256, 8),
  full_name: Type.Optional(Nullable(Text(200, 0))),
  role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('member')])),
});

// ── Chat ────────────────────────────────────────────────────────────────────
export const CreateConversationBody = StrictObject({
  title: Type.Optional(Nullable(Text(500, 0))),
  provider: Type.Optional(Nullable(Text(64))),
  model: Type.Optional(Nullable(Text(200))),
  system_prompt: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
  metadata: Type.Optional(Metadata),
});

export const ConversationSchema = Open({
  id: Type.String(),
  title: Nullable(Type.String()),
  provider: Nullable(Type.String()),
  model: Nullable(Type.String()),
  created_at: Type.String(),
});

export const SendMessageBody = StrictObject({
  message: Text(100_000),
  temperature: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 2 }))),
  max_tokens: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 200_000 }))),
  stream: Type.Optional(Type.Boolean()),
});

export const MessageSchema = Open({
  id: Type.String(),
  conversation_id: Type.String(),
  role: Type.String(),
  content: Type.String(),
  tokens_used: Type.Integer(),
  cost: Type.Number(),
  created_at: Type.String(),
});

// ── Agents ──────────────────────────────────────────────────────────────────
const AgentFields = {
  description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  instructions: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
  provider: Type.Optional(Nullable(Text(64))),
  model: Type.Optional(Nullable(Text(200))),
  temperature: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 2 }))),
  tools: Type.Optional(Type.Array(Text(64), { maxItems: 32 })),
  metadata: Type.Optional(Metadata),
  is_active: Type.Optional(Type.Boolean()),
};
export const CreateAgentBody = StrictObject({ name: Text(200), ...AgentFields });
export const UpdateAgentBody = StrictObject({ name: Type.Optional(Text(200)), ...AgentFields });

export const AgentSchema = Open({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  provider: Nullable(Type.String()),
  model: Nullable(Type.String()),
  is_active: Type.Boolean(),
  created_at: Type.String(),
});

export const ExecuteBody = StrictObject({
  input: Text(100_000),
  metadata: Type.Optional(Metadata),
  background: Type.Optional(Type.Boolean()),
});

export const RunSchema = Open({
  run_id: Type.String(),
  status: Type.String(),
  output: Nullable(Type.String()),
  tokens_used: Type.Integer(),
  cost: Type.Number(),
  execution_time_ms: Nullable(Type.Integer()),
  tools_used: Type.Array(Type.String()),
  created_at: Type.String(),
  completed_at: Nullable(Type.String()),
});

export const RunParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  run_id: Type.String({ maxLength: 64 }),
});

// ── Webhooks ────────────────────────────────────────────────────────────────
export const CreateWebhookBody = StrictObject({
  url: Type.String({ minLength: 1, maxLength: 2000 }),
  event_types: Type.Array(Text(64), { minItems: 1, maxItems: 20 }),
  secret: Type.Optional(Nullable(Text(500, 8))),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  is_active: Type.Optional(Type.Boolean()),
});

export const UpdateWebhookBody = StrictObject({
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  event_types: Type.Optional(Type.Array(Text(64), { minItems: 1, maxItems: 20 })),
  secret: Type.Optional(Text(500, 8)),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  is_active: Type.Optional(Type.Boolean()),
});

export const WebhookSchema = Open({
  id: Type.String(),
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  is_active: Type.Boolean(),
  created_at: Type.String(),
});
