// Roles (FindFace /groups/): permission codenames, and the role's rights on camera groups and watch lists.
import { Type, type Static } from '@sinclair/typebox';
import { PERMISSIONS } from '../../stores/postgres/rows.ts';
import { DateTime, PageQuery, listOf } from './common.ts';

const PermissionName = Type.Union(PERMISSIONS.map((p) => Type.Literal(p)), { description: 'FindFace permission codename' });
const Permissions = Type.Array(PermissionName, { uniqueItems: true });

export const RoleView = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    comment: Type.String(),
    permissions: Permissions,
    builtin: Type.Boolean({ description: 'admin, operator, viewer: can be changed, not deleted' }),
    created_date: DateTime(),
    modified_date: DateTime(),
  },
  { $id: 'Role' },
);

export const RoleCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 150 }),
    comment: Type.Optional(Type.String({ maxLength: 2048 })),
    permissions: Type.Optional(Permissions),
  },
  { additionalProperties: false },
);
export type RoleCreate = Static<typeof RoleCreate>;

export const RolePatch = Type.Partial(RoleCreate, { additionalProperties: false, minProperties: 1 });
export type RolePatch = Static<typeof RolePatch>;

export const RoleQuery = Type.Object({ ...PageQuery });
export type RoleQuery = Static<typeof RoleQuery>;

export const RoleList = listOf(Type.Ref(RoleView), 'roles by id');

const Access = Type.Union([Type.Literal('view'), Type.Literal('change')]);

export const ObjectRights = Type.Object({
  camera_groups: Type.Array(Type.Object({ camera_group_id: Type.Integer(), access: Access })),
  watch_lists: Type.Array(Type.Object({ watch_list_id: Type.Integer(), access: Access })),
});

export const ObjectAccessBody = Type.Object(
  { access: Type.Union([Type.Literal('none'), Type.Literal('view'), Type.Literal('change')], { description: "FindFace's levels; none removes the right" }) },
  { additionalProperties: false },
);
export type ObjectAccessBody = Static<typeof ObjectAccessBody>;

export const RoleObjectParams = Type.Object({ id: Type.Integer({ description: 'role id' }), object_id: Type.Integer({ description: 'camera group or watch list id' }) });
export type RoleObjectParams = Static<typeof RoleObjectParams>;
