/** Where ../shared/data is, or why a test that needs it is skipped. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data');

export function sharedDataOrSkip(testName: string): string | undefined {
  if (existsSync(join(SHARED_DATA, 'manifest.csv'))) return SHARED_DATA;
  console.log(`skip ${testName}: ${SHARED_DATA} is absent (CI always has it)`);
  return undefined;
}
