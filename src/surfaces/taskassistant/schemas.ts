/** Task Assistant's wire shapes (specs/taskassistant-v1.md), as TypeBox schemas. */
import { Type } from 'typebox';
import { IsoTime, Nullable, OptionalBody, StrictObject, Text } from '../../http/schemas.ts';

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
