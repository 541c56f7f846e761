import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The text of a secret kept in `DATA_DIR/<name>` (0600): made once (32 random bytes, hex) by whichever
 * process comes first, then read by every process sharing the directory. The caller checks and parses it.
 * Returns the file's path too, for the caller's error messages.
 */
export function keyFileText(dataDir: string, name: string): { file: string; text: string } {
  const file = path.join(path.resolve(dataDir), name);
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    // Another process (or an earlier run) made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return { file, text: readFileSync(file, 'utf8').trim() };
}
