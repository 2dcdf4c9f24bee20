import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ConstraintError } from './errors.ts';
import { openPglite } from './pglite-db.ts';
import { describeEachBackend } from './testing/backends.ts';
import { float32FromBytes, float32ToBytes } from '../../schemas/float32-bytes.ts';

describeEachBackend('the Db interface', (ctx) => {
  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await ctx.db.exec('CREATE TABLE tx_t (x int PRIMARY KEY)');
    expect(await ctx.db.transaction(async (tx) => (await tx.query('INSERT INTO tx_t VALUES (1), (2)')).rowCount)).toBe(2);
    await expect(
      ctx.db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_t VALUES (3)');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect((await ctx.db.query('SELECT x FROM tx_t ORDER BY x')).rows).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('nests a transaction as a savepoint: the inner one rolls back alone', async () => {
    await ctx.db.exec('CREATE TABLE tx_n (x int PRIMARY KEY)');
    await ctx.db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_n VALUES (1)');
      const dup = await tx.transaction((inner) => inner.query('INSERT INTO tx_n VALUES (1)')).catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(ConstraintError);
      await tx.transaction((inner) => inner.query('INSERT INTO tx_n VALUES (2)'));
    });
    expect((await ctx.db.query('SELECT x FROM tx_n ORDER BY x')).rows).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('gives the same JavaScript types from both engines', async () => {
    const { rows, rowCount } = await ctx.db.query(
      `SELECT 7::integer AS i, 0.5::real AS r, 'a'::text AS t, true AS b, '2026-01-02T03:04:05Z'::timestamptz AS ts,
              $1::text::jsonb AS j, ARRAY[3, 1]::integer[] AS ai, ARRAY['x']::text[] AS at, $2::bytea AS by, NULL::text AS n`,
      [JSON.stringify({ k: [1, 'v'] }), float32ToBytes(new Float32Array([1.5, -2]))],
    );
    expect(rowCount).toBe(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ i: 7, r: 0.5, t: 'a', b: true, j: { k: [1, 'v'] }, ai: [3, 1], at: ['x'], n: null });
    expect(row['ts']).toEqual(new Date('2026-01-02T03:04:05Z'));
    expect(row['by']).toBeInstanceOf(Uint8Array);
    expect(float32FromBytes(row['by'] as Uint8Array)).toEqual(new Float32Array([1.5, -2]));
  });

  it('counts the rows a statement changed', async () => {
    await ctx.db.exec('CREATE TABLE tx_c (x int); INSERT INTO tx_c SELECT generate_series(1, 5)');
    expect((await ctx.db.query('UPDATE tx_c SET x = x + 1 WHERE x > 2')).rowCount).toBe(3);
    expect((await ctx.db.query('DELETE FROM tx_c WHERE x > 100')).rowCount).toBe(0);
    expect((await ctx.db.query('SELECT * FROM tx_c')).rowCount).toBe(5);
  });
});

it('PGlite makes a data directory whose parents are missing, and finds its data there again', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fs-pglite-'));
  const dataDir = join(root, 'not', 'yet', 'there');
  try {
    const first = await openPglite({ dataDir });
    await first.exec('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    await first.close();
    const again = await openPglite({ dataDir });
    expect((await again.query<{ n: number }>('SELECT n FROM kept')).rows).toEqual([{ n: 7 }]);
    await again.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
