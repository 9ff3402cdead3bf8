/** AutoServe's wire shapes (specs/autoserve.md), as TypeBox schemas. */
import { Type } from 'typebox';
import { IsoTime, Nullable, StrictObject, Text } from '../../http/schemas.ts';

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

export const MessageSchema = Type.Object({ message: Type.String() });
