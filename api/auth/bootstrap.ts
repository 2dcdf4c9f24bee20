// First start: with no user at all nobody could log in to make one, so `serve` creates `admin` (the built-in admin
// role) with the password from FACESTREAM_ADMIN_PASSWORD, or a random one it prints once.
import type { Db } from '../../stores/postgres/db.ts';
import { anyUserExists } from '../../stores/postgres/repositories/rights.ts';
import { getRoleByName } from '../../stores/postgres/repositories/roles.ts';
import { createUser } from '../../stores/postgres/repositories/users.ts';
import { hashPassword, randomPassword } from './password.ts';

export const FIRST_ADMIN_NAME = 'admin';

export type FirstAdmin =
  | { readonly created: false }
  /** `password` is set when it was generated (to be shown once), absent when it came from the environment */
  | { readonly created: true; readonly name: string; readonly password?: string };

/** Creates the first administrator when the store has no user; does nothing otherwise. */
export async function ensureFirstAdmin(db: Db, passwordFromEnv: string | undefined): Promise<FirstAdmin> {
  if (await anyUserExists(db)) return { created: false }; // every start but the first: no hashing
  const generated = passwordFromEnv === undefined || passwordFromEnv === '';
  const password = generated ? randomPassword() : passwordFromEnv;
  const password_hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    // a transaction-level advisory lock: two processes starting on one empty server make one admin, not a conflict
    await tx.query('SELECT pg_advisory_xact_lock(7411, 1)');
    if (await anyUserExists(tx)) return { created: false };
    const role = await getRoleByName(tx, 'admin');
    if (!role) throw new Error('the built-in admin role is missing: the identity store is not migrated');
    await createUser(tx, { name: FIRST_ADMIN_NAME, real_name: 'Administrator', primary_role_id: role.id, password_hash });
    return generated ? { created: true, name: FIRST_ADMIN_NAME, password } : { created: true, name: FIRST_ADMIN_NAME };
  });
}
