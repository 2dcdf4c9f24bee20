// Users (FindFace /users/): the login name, roles, and whether a password is set — never the password or its hash.
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable, PageQuery, listOf } from './common.ts';

const fields = {
  name: Type.String({ pattern: '^[A-Za-z0-9@.+_-]{1,150}$', description: 'the login' }),
  real_name: Type.String({ maxLength: 256 }),
  comment: Type.String({ maxLength: 2048 }),
  active: Type.Boolean({ description: 'false: cannot log in, tokens open nothing' }),
  superuser: Type.Boolean({ description: 'every right whatever the roles say' }),
  primary_role_id: Type.Integer(),
  role_ids: Type.Array(Type.Integer(), { description: 'additional roles; rights add up', uniqueItems: true }),
};

/** 8 … 1024 characters: long enough to matter, short enough that hashing one cannot be made to cost much. */
export const Password = Type.String({ minLength: 8, maxLength: 1024 });

export const UserView = Type.Object(
  {
    id: Type.Integer(),
    ...fields,
    has_password: Type.Boolean(),
    last_login: Nullable(DateTime()),
    created_date: DateTime(),
    modified_date: DateTime(),
  },
  { $id: 'User' },
);

export const UserCreate = Type.Object(
  {
    name: fields.name,
    password: Type.Optional(Password),
    primary_role_id: fields.primary_role_id,
    role_ids: Type.Optional(fields.role_ids),
    real_name: Type.Optional(fields.real_name),
    comment: Type.Optional(fields.comment),
    active: Type.Optional(fields.active),
    superuser: Type.Optional(fields.superuser),
  },
  { additionalProperties: false },
);
export type UserCreate = Static<typeof UserCreate>;

export const UserPatch = Type.Object(
  {
    name: Type.Optional(fields.name),
    password: Type.Optional(Type.Union([Password, Type.Null()], { description: 'null removes password login' })),
    primary_role_id: Type.Optional(fields.primary_role_id),
    role_ids: Type.Optional(fields.role_ids),
    real_name: Type.Optional(fields.real_name),
    comment: Type.Optional(fields.comment),
    active: Type.Optional(fields.active),
    superuser: Type.Optional(fields.superuser),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatch = Static<typeof UserPatch>;

export const UserQuery = Type.Object({ ...PageQuery, active: Type.Optional(Type.Boolean()), role: Type.Optional(Type.Integer({ description: 'users with this role, primary or additional' })) });
export type UserQuery = Static<typeof UserQuery>;

export const UserList = listOf(Type.Ref(UserView), 'users by id');
