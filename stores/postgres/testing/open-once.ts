// Test fixture: one process's start against a server: opens the store at argv[2] (migrations run), prints the
// migration result as one JSON line and closes (stores/postgres/migrate.test.ts starts several at once).
import { openDatabase } from '../open.ts';

const { db, migrations } = await openDatabase({ url: process.argv[2] });
process.stdout.write(`${JSON.stringify(migrations)}\n`);
await db.close();
