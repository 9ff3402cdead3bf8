/** Codeep's wire shapes (specs/codeep-v1.md), as TypeBox schemas. */
import { Type } from 'typebox';
import {
  CappedCount,
  IsoTime,
  Limit,
  Nullable,
  Offset,
  PageNumber,
  StrictObject,
  Text,
} from '../../http/schemas.ts';

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  api_key: Type.Union([Type.String(), Type.Null()]),
  daily_limit: Type.Integer(),
  created_at: IsoTime(),
});

export const RegisterBody = StrictObject({
  username: Text(64, 3),
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Text(256, 8),
});

export const LoginBody = StrictObject({
  username: Text(254),
  password: Text(256),
});

export const ErrorSchema = Type.Object({ msg: Type.String(), error: Type.Unknown() });

/** A 429: the rate limiter's (with retry_after) or the daily quota's (where the user stands). */
export const TooManyRequestsSchema = Type.Object({
  msg: Type.String(),
  error: Type.Unknown(),
  retry_after: Type.Optional(Type.Integer()),
  daily_limit: Type.Optional(Type.Integer()),
  used_today: Type.Optional(Type.Integer()),
});

const StatusWord = Type.Union([
  Type.Literal('queued'),
  Type.Literal('processing'),
  Type.Literal('completed'),
  Type.Literal('failed'),
]);

export const TaskSchema = Type.Object({
  task_id: Type.String(),
  user_id: Type.Integer(),
  prompt: Type.String(),
  toolset: Type.Array(Type.String()),
  status: StatusWord,
  result: Nullable(Type.String()),
  error_message: Nullable(Type.String()),
  created_at: IsoTime(),
  updated_at: IsoTime(),
  started_at: Nullable(IsoTime()),
  completed_at: Nullable(IsoTime()),
});

export const CreatedTaskSchema = Type.Object({
  task_id: Type.String(),
  user_id: Type.Integer(),
  prompt: Type.String(),
  toolset: Type.Array(Type.String()),
  status: StatusWord,
  created_at: IsoTime(),
  updated_at: IsoTime(),
});

export const CreateTaskBody = StrictObject({
  prompt: Text(100_000),
  toolset: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 }),
  ),
});

export const UpdateTaskBody = StrictObject({
  status: Type.Optional(StatusWord),
  result: Type.Optional(Nullable(Type.String({ maxLength: 1_000_000 }))),
  error_message: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  started_at: Type.Optional(Nullable(IsoTime())),
  completed_at: Type.Optional(Nullable(IsoTime())),
});

// No length limit: any id that is not a task's is a 404 "Task not found", as the spec says.
export const TaskIdParams = Type.Object({ task_id: Type.String() });

export const ListTasksQuery = Type.Object(
  {
    status: Type.Optional(StatusWord),
    limit: Type.Optional(Limit(1000, 100)),
    offset: Type.Optional(Offset()),
  },
  // Unknown query parameters are ignored (cache-busters and the like).
  { additionalProperties: true },
);

/** The history's page size and the usage period: larger values are capped to these. */
export const MAX_PER_PAGE = 100;
export const MAX_DAYS = 365;

export const HistoryQuery = Type.Object(
  {
    page: Type.Optional(PageNumber(MAX_PER_PAGE)),
    per_page: Type.Optional(CappedCount(20)),
    status: Type.Optional(StatusWord),
    from: Type.Optional(Type.String({ maxLength: 64 })),
    to: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);

export const UsageQuery = Type.Object(
  { days: Type.Optional(CappedCount(30)) },
  { additionalProperties: true },
);

export const QuotaSchema = Type.Object({
  daily_limit: Type.Integer(),
  used_today: Type.Integer(),
  remaining: Type.Integer(),
});
