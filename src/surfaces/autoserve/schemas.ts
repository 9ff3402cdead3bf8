/** AutoServe's wire shapes (specs/autoserve.md), as TypeBox schemas. */
import { Type } from 'typebox';
import { IsoTime, Limit, Nullable, Offset, StrictObject, Text } from '../../http/schemas.ts';

export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Unknown(),
    timestamp: IsoTime(),
    request_id: Type.String(),
  }),
});

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  email: Type.String(),
  full_name: Nullable(Type.String()),
  is_active: Type.Boolean(),
  created_at: IsoTime(),
  updated_at: IsoTime(),
});

export const RegisteredUserSchema = Type.Omit(UserSchema, ['updated_at']);

export const RegisterBody = StrictObject({
  username: Text(64, 3),
  password: Text(256, 8),
  email: Type.String({ format: 'email', maxLength: 254 }),
  full_name: Type.Optional(Nullable(Text(200, 0))),
});

export const UpdateMeBody = StrictObject({
  full_name: Type.Optional(Nullable(Text(200, 0))),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
});

export const LoginBody = StrictObject({ username: Text(254), password: Text(256) });

export const RefreshBody = StrictObject({ refresh_token: Text(200) });

export const TokenSchema = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
});

/** /auth/refresh's response: the spec shows no new refresh token (the login's stays valid). */
export const RefreshedTokenSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
});

export const MessageSchema = Type.Object({ message: Type.String() });

// ---- Tasks ----

export const TASK_TYPES = ['data_processing', 'code', 'agent'] as const;
const Priority = Type.Union([
  Type.Literal('low'),
  Type.Literal('normal'),
  Type.Literal('high'),
  Type.Literal('urgent'),
]);
const StatusWord = Type.Union([
  Type.Literal('pending'),
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
const Parameters = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'data_processing: {input_file (an uploaded file name or id), output_format: json|csv}; code: {language, source}; agent: {prompt, toolset?, model?}',
});

export const TaskIdParams = Type.Object({ task_id: Type.String({ maxLength: 200 }) });

export const ListTasksQuery = Type.Object(
  {
    limit: Type.Optional(Limit(100, 50)),
    offset: Type.Optional(Offset()),
    status: Type.Optional(StatusWord),
  },
  // Unknown query parameters are ignored (cache-busters and the like).
  { additionalProperties: true },
);

export const CreateTaskBody = StrictObject({
  title: Text(200),
  description: Type.Optional(Nullable(Text(10_000, 0))),
  priority: Type.Optional(Priority),
  scheduled_at: Type.Optional(Nullable(IsoTime())),
  task_type: Text(64),
  parameters: Type.Optional(Parameters),
});

export const UpdateTaskBody = StrictObject({
  title: Type.Optional(Text(200)),
  description: Type.Optional(Nullable(Text(10_000, 0))),
  priority: Type.Optional(Priority),
  scheduled_at: Type.Optional(Nullable(IsoTime())),
});

const TaskCore = {
  id: Type.String({ format: 'uuid' }),
  title: Nullable(Type.String()),
  description: Nullable(Type.String()),
  status: StatusWord,
  priority: Priority,
  created_at: IsoTime(),
  updated_at: IsoTime(),
};

/** GET /tasks/{id}: every field. */
export const TaskSchema = Type.Object({
  ...TaskCore,
  scheduled_at: Nullable(IsoTime()),
  completed_at: Nullable(IsoTime()),
  task_type: Type.String(),
  parameters: Parameters,
  result: Type.Unknown({
    description:
      'null until the task finishes; data_processing: {output_file, records_processed, file_id, download_url}',
  }),
  error: Nullable(Type.String()),
});

/** An item of GET /tasks (the spec's list shape). */
export const TaskListItemSchema = Type.Object({
  ...TaskCore,
  scheduled_at: Nullable(IsoTime()),
  completed_at: Nullable(IsoTime()),
  result: Type.Unknown(),
  error: Nullable(Type.String()),
});

export const TaskListSchema = Type.Object({
  tasks: Type.Array(TaskListItemSchema),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

/** POST /tasks' response. */
export const CreatedTaskSchema = Type.Object({
  ...TaskCore,
  scheduled_at: Nullable(IsoTime()),
  task_type: Type.String(),
  parameters: Parameters,
});

/** PUT /tasks/{id}'s response. */
export const UpdatedTaskSchema = Type.Object(TaskCore);

export const RetriedTaskSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: StatusWord,
  retry_count: Type.Integer(),
  updated_at: IsoTime(),
});

// ---- Files ----

export const FileIdParams = Type.Object({ file_id: Type.String({ maxLength: 200 }) });

export const FileSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  filename: Type.String(),
  size: Type.Integer(),
  content_type: Type.String(),
  description: Nullable(Type.String()),
  upload_date: IsoTime(),
  status: Type.String(),
});

export const FileWithUrlSchema = Type.Object({
  ...FileSchema.properties,
  download_url: Type.String({ format: 'uri' }),
});

// ---- Metrics ----

export const SystemMetricsSchema = Type.Object({
  timestamp: IsoTime(),
  cpu_usage: Type.Number(),
  memory_usage: Type.Number(),
  disk_usage: Type.Number(),
  network_io: Type.Object({ bytes_sent: Type.Integer(), bytes_received: Type.Integer() }),
  active_connections: Type.Integer(),
  request_rate: Type.Number(),
  error_rate: Type.Number(),
});

export const TaskMetricsSchema = Type.Object({
  timestamp: IsoTime(),
  tasks_total: Type.Integer(),
  tasks_pending: Type.Integer(),
  tasks_running: Type.Integer(),
  tasks_completed: Type.Integer(),
  tasks_failed: Type.Integer(),
  average_processing_time: Type.Number(),
  queue_depth: Type.Integer(),
  worker_count: Type.Integer(),
  throughput: Type.Number(),
});
