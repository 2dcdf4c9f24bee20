import { expect, it } from 'vitest';
import { getLoginSecret, listUsers } from '../../stores/postgres/repositories/users.ts';
import { getUserRights } from '../../stores/postgres/repositories/rights.ts';
import { describeEachBackend } from '../../stores/postgres/testing/backends.ts';
import { ensureFirstAdmin } from './bootstrap.ts';
import { verifyPassword } from './password.ts';

describeEachBackend('the first administrator', (ctx) => {
  it('is created once, with the given password, as an administrator', async () => {
    expect(await ensureFirstAdmin(ctx.db, 'from-the-env-1')).toEqual({ created: true, name: 'admin' });
    const secret = (await getLoginSecret(ctx.db, 'admin'))!;
    expect(await verifyPassword('from-the-env-1', secret.password_hash!)).toBe(true);
    expect((await getUserRights(ctx.db, secret.id))!.all_objects).toBe(true);
    // later starts (or a concurrent one) find a user and do nothing
    expect(await ensureFirstAdmin(ctx.db, undefined)).toEqual({ created: false });
    expect((await listUsers(ctx.db)).map((u) => u.name)).toEqual(['admin']);
  });
});
