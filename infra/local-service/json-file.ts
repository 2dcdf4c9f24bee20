// State files (a CLI's state.json, a test run's shared service): read as missing when absent or half-written, and
// written so that no reader ever sees half a file.
import { readFile, rename, writeFile } from 'node:fs/promises';

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (a temporary file renamed into place): a reader never sees half a file. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
