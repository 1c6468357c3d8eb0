/**
 * The stage graph: stages registered by name in a frozen registry; a run asks
 * for target stages and gets them with everything they read, in dependency
 * order.
 */
import { EcgError } from '../core/errors.js';
import { runMessages as msg } from '../core/messages.js';
import type { Config } from '../config/schema/index.js';
import type { Stage } from './stage.js';

export type StageRegistry = Readonly<Record<string, Stage>>;

export function createRegistry(stages: readonly Stage[]): StageRegistry {
  const entries: Record<string, Stage> = {};
  for (const stage of stages) {
    if (entries[stage.name]) throw new EcgError('STAGE_GRAPH_INVALID', msg.stageRegisteredTwice(stage.name));
    entries[stage.name] = stage;
  }
  return Object.freeze(entries);
}

/**
 * Targets and their inputs, inputs first. Empty targets = every registered
 * stage. `configs`: the cells' configs, whose readsWhen inputs join the
 * graph too (the union over the cells: one stage list per sweep).
 */
export function resolveStages(registry: StageRegistry, targets: readonly string[], configs: readonly Config[] = []): Stage[] {
  const names = targets.length > 0 ? targets : Object.keys(registry);
  const ordered: Stage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const stage = registry[name];
    if (!stage) {
      const parent = path[path.length - 1];
      throw new EcgError(
        'STAGE_UNKNOWN',
        parent ? msg.stageInputMissing(parent, name) : msg.stageUnknown(name, Object.keys(registry)),
      );
    }
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new EcgError('STAGE_GRAPH_INVALID', msg.stageCycle([...path, name]));
    state.set(name, 'visiting');
    const added = configs.flatMap((config) => stage.readsWhen?.(config) ?? []);
    for (const input of new Set([...stage.reads, ...added])) visit(input, [...path, name]);
    state.set(name, 'done');
    ordered.push(stage);
  };
  for (const name of names) visit(name, []);
  return ordered;
}
