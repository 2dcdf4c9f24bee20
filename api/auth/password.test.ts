import { expect, it } from 'vitest';
import { DUMMY_HASH, hashPassword, randomPassword, verifyPassword } from './password.ts';

it('hashes with a fresh salt and verifies only the right password', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  expect(a).not.toBe(b);
  expect(await verifyPassword('correct horse', a)).toBe(true);
  expect(await verifyPassword('correct hors', a)).toBe(false);
  expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
});

it('refuses malformed or too costly hash strings instead of running them', async () => {
  for (const bad of ['', 'bcrypt$x', 'scrypt$3$8$1$AAAA$AAAA', `scrypt$${2 ** 24}$8$1$AAAA$${'A'.repeat(43)}`, 'scrypt$1024$8$1$AAAA$short']) {
    expect(await verifyPassword('x', bad), bad).toBe(false);
  }
  expect(randomPassword()).toMatch(/^[\w-]{24}$/);
});
