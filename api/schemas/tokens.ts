// API tokens and logging in: the key is shown once, when made; only its SHA-256 is stored.
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable, PageQuery, listOf } from './common.ts';
import { UserView } from './users.ts';

export const TokenView = Type.Object(
  {
    id: Type.Integer(),
    user_id: Type.Integer(),
    name: Type.String(),
    created_date: DateTime(),
    expires_date: Nullable(DateTime()),
    last_used_date: Nullable(DateTime()),
  },
  { $id: 'Token' },
);

export const TokenCreate = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 256 })),
    expires_date: Type.Optional(Nullable(DateTime('null: never'))),
  },
  { additionalProperties: false },
);
export type TokenCreate = Static<typeof TokenCreate>;

export const NewToken = Type.Object({
  key: Type.String({ description: 'send as `Authorization: Bearer <key>`; shown only now' }),
  token: Type.Ref(TokenView),
});

export const TokenQuery = Type.Object({ ...PageQuery, user: Type.Optional(Type.Integer({ description: "another user's tokens (needs view_token)" })), all: Type.Optional(Type.Boolean({ description: "every user's tokens (needs view_token)" })) });
export type TokenQuery = Static<typeof TokenQuery>;

export const TokenList = listOf(Type.Ref(TokenView), 'tokens by id');

export const Login = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 150 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type Login = Static<typeof Login>;

export const LoginResult = Type.Object({
  key: Type.String({ description: 'send as `Authorization: Bearer <key>` (or FindFace\'s `Token <key>`)' }),
  token: Type.Ref(TokenView),
  user: Type.Ref(UserView),
});

const Access = Type.Union([Type.Literal('view'), Type.Literal('change')]);

export const Me = Type.Object({
  user: Type.Ref(UserView),
  token_id: Type.Integer(),
  administrator: Type.Boolean({ description: 'superuser or the admin role: every permission and object' }),
  permissions: Type.Array(Type.String()),
  camera_groups: Type.Array(Type.Object({ id: Type.Integer(), access: Access }), { description: 'object rights (empty for administrators, who have all)' }),
  watch_lists: Type.Array(Type.Object({ id: Type.Integer(), access: Access })),
});
