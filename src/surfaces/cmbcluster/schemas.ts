/** CMBCluster's wire shapes (specs/cmbcluster.md), as TypeBox schemas. */
import { Type } from 'typebox';
import { IsoTime, StrictObject, Text } from '../../http/schemas.ts';

export const ErrorSchema = Type.Object({
  detail: Type.String(),
  error_code: Type.String(),
  timestamp: IsoTime(),
});

const Envelope = <T extends Parameters<typeof Type.Object>[0]>(data: T) =>
  Type.Object({
    status: Type.Literal('success'),
    data: Type.Object(data),
    timestamp: IsoTime(),
  });

export const MessageSchema = <S extends string = 'success'>(status: S = 'success' as S) =>
  Type.Object({ status: Type.Literal(status), message: Type.String(), timestamp: IsoTime() });

export const LoginResponse = Type.Object({
  status: Type.Literal('success'),
  auth_url: Type.String(),
  message: Type.String(),
  timestamp: IsoTime(),
});

export const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  state: Type.Optional(Type.String({ maxLength: 1024 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
  error_description: Type.Optional(Type.String({ maxLength: 2048 })),
  iss: Type.Optional(Type.String({ maxLength: 2048 })),
  scope: Type.Optional(Type.String({ maxLength: 2048 })),
  authuser: Type.Optional(Type.String({ maxLength: 64 })),
  prompt: Type.Optional(Type.String({ maxLength: 256 })),
  hd: Type.Optional(Type.String({ maxLength: 256 })),
});

const UserFields = {
  id: Type.String(),
  email: Type.String(),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  subscription_tier: Type.String(),
  created_at: IsoTime(),
};

export const MeResponse = Envelope({
  ...UserFields,
  max_uptime_minutes: Type.Integer(),
  auto_shutdown_enabled: Type.Boolean(),
});

export const AdminUsersResponse = Envelope({ users: Type.Array(Type.Object(UserFields)) });

const EnvVarSchema = Type.Object({
  key: Type.String(),
  value: Type.Literal('***encrypted***'),
  created_at: IsoTime(),
});

export const EnvVarsResponse = Envelope({ env_vars: Type.Array(EnvVarSchema) });
export const EnvVarResponse = Type.Object({
  status: Type.Literal('success'),
  data: EnvVarSchema,
  timestamp: IsoTime(),
});

export const SetEnvVarBody = StrictObject({
  key: Text(128),
  value: Type.String({ maxLength: 32_768 }),
});

export const EnvVarParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) });

const ActivitySchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  action: Type.String(),
  details: Type.String(),
  timestamp: IsoTime(),
  status: Type.String(),
});

export const ActivityResponse = Envelope({ activities: Type.Array(ActivitySchema) });

export const ActivityQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
});

export const AdminActivityQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

export const HealthResponse = Type.Object({
  status: Type.String(),
  version: Type.String(),
  uptime: Type.Number(),
  timestamp: IsoTime(),
});

export const RootResponse = Type.Object({
  service: Type.String(),
  version: Type.String(),
  status: Type.String(),
  docs: Type.String(),
});

export const AdminEnvironmentSchema = Type.Object({
  env_id: Type.String(),
  user_id: Type.String(),
  pod_name: Type.String(),
  status: Type.String(),
  created_at: IsoTime(),
});

export const AdminEnvironmentsResponse = Envelope({
  environments: Type.Array(AdminEnvironmentSchema),
});

const FileFields = {
  filename: Type.String(),
  size_bytes: Type.Integer(),
  path: Type.String(),
};

export const FilesResponse = Envelope({
  files: Type.Array(Type.Object({ ...FileFields, created_at: IsoTime() })),
});

export const UploadResponse = Envelope({ ...FileFields, uploaded_at: IsoTime() });

export const FileParams = Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }) });

export const CreateEnvironmentBody = StrictObject({
  image: Text(256),
  application_id: Type.Optional(Text(128)),
  config: Type.Optional(
    StrictObject({
      name: Type.Optional(Text(200, 0)),
      description: Type.Optional(Text(2000, 0)),
    }),
  ),
});

const EnvironmentSchema = Type.Object({
  env_id: Type.String(),
  pod_name: Type.String(),
  status: Type.String(),
  created_at: IsoTime(),
  url: Type.Union([Type.String(), Type.Null()]),
});

export const CreatedEnvironmentResponse = Type.Object({
  status: Type.Literal('created'),
  data: EnvironmentSchema,
  timestamp: IsoTime(),
});

export const ActiveEnvironmentResponse = Envelope({
  active: Type.Boolean(),
  environment: Type.Union([EnvironmentSchema, Type.Null()]),
});

export const EnvironmentListResponse = Envelope({ environments: Type.Array(EnvironmentSchema) });

export const EnvironmentInfoResponse = Envelope({
  environment: EnvironmentSchema,
  uptime_minutes: Type.Integer(),
  max_uptime_minutes: Type.Integer(),
  auto_shutdown_enabled: Type.Boolean(),
  time_until_shutdown_minutes: Type.Union([Type.Integer(), Type.Null()]),
  subscription_tier: Type.String(),
});

export const EnvIdParams = Type.Object({ env_id: Type.String({ minLength: 1, maxLength: 64 }) });

export const DeleteEnvironmentQuery = Type.Object({
  env_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
