/** Codeep's wire shapes (specs/codeep-v1.md), as TypeBox schemas. */
import { Type } from 'typebox';
import { IsoTime, StrictObject, Text } from '../../http/schemas.ts';

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
