/**
 * Provenance tags of a cell beside its git commit: what ran it (Node, npm,
 * ecg-lab, the sha256 of package-lock.json that pins every dependency) and
 * on what (OS, CPU model, GPUs where nvidia-smi answers). TensorFlow's
 * version comes with the backend's tags (ecg-lab.backend.tensorflow) once a
 * stage loads it. Node's version is handed in: only the cli reads `process`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, platform, release, arch } from 'node:os';
import { join } from 'node:path';

export interface ProvenanceInput {
  /** Folder of package.json and package-lock.json. */
  readonly packageRoot: string;
  readonly nodeVersion: string;
  readonly ecgLabVersion: string;
}

function output(command: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function lockDigest(packageRoot: string): string {
  try {
    return createHash('sha256').update(readFileSync(join(packageRoot, 'package-lock.json'))).digest('hex');
  } catch {
    return 'none';
  }
}

export function provenanceTags(input: ProvenanceInput): Record<string, string> {
  const tags: Record<string, string> = {
    'ecg-lab.version': input.ecgLabVersion,
    'runtime.node': input.nodeVersion,
    'runtime.npm': output('npm', ['--version']) ?? 'unknown',
    'deps.lockSha256': lockDigest(input.packageRoot),
    'host.os': `${platform()} ${release()} ${arch()}`,
    'host.cpu': cpus()[0]?.model.trim() ?? 'unknown',
  };
  const gpus = output('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader']);
  if (gpus) tags['host.gpu'] = gpus.split('\n').map((line) => line.trim()).filter(Boolean).join('; ');
  return tags;
}
