/**
 * The config a stage sees: the cell's config behind a read guard that lets
 * through only the keys the stage declared in `configKeys` (a dotted key, or
 * `group.*` for a whole group). A stage's cache key hashes exactly those
 * values (train/cache.ts), so a read of any other key would let the cache
 * serve a result computed under another value of it; the guard turns that
 * silent staleness into STAGE_UNDECLARED_KEY at the read, in every run and
 * in every test that runs the stage.
 *
 * Reading an object on the way to a declared key (`config.digitizer` for
 * `digitizer.cropHeight`) is allowed; what comes back is guarded the same
 * way, so passing `config.render` on to a function still checks every leaf
 * that function reads. Writes are refused: a stage's config is read-only.
 */
import { EcgError } from '../core/errors.js';
import { trainMessages as msg } from '../core/messages.js';
import type { Config } from '../config/schema/index.js';

export function scopedConfig(config: Config, stage: string, configKeys: readonly string[]): Config {
  const exact = new Set(configKeys.filter((k) => !k.endsWith('.*')));
  const groups = configKeys.filter((k) => k.endsWith('.*')).map((k) => k.slice(0, -1));
  const declared = (path: string) => exact.has(path) || groups.some((g) => path.startsWith(g));
  const onTheWay = (path: string) => declared(path) || configKeys.some((k) => k.startsWith(`${path}.`));
  const guard = <T extends object>(target: T, prefix: string): T =>
    new Proxy(target, {
      get(obj, property, receiver) {
        const value = Reflect.get(obj, property, receiver);
        if (typeof property === 'symbol' || !Object.hasOwn(obj, property)) return value;
        const path = `${prefix}${property}`;
        if (declared(path)) return value;
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && onTheWay(path)) return guard(value, `${path}.`);
        throw new EcgError('STAGE_UNDECLARED_KEY', msg.undeclaredKey(stage, path, configKeys));
      },
      set(_obj, property) {
        throw new EcgError('STAGE_UNDECLARED_KEY', msg.configReadOnly(stage, `${prefix}${String(property)}`));
      },
    });
  return guard(config, '');
}
