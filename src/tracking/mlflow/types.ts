/** MLflow's REST shapes (snake_case, as on the wire) and ecg-lab's typed views of them. */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type TerminalStatus = 'FINISHED' | 'FAILED' | 'KILLED';

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime?: number;
  artifactUri: string;
  lifecycleStage: string;
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface Run {
  info: RunInfo;
  /** Latest value of each metric. */
  metrics: Metric[];
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface FileInfo {
  path: string;
  isDir: boolean;
  fileSize?: number;
}

export interface WireExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
}

export interface WireRunInfo {
  run_id?: string;
  run_uuid?: string;
  experiment_id: string;
  run_name?: string;
  status?: RunStatus;
  start_time?: number | string;
  end_time?: number | string;
  artifact_uri?: string;
  lifecycle_stage?: string;
}

export interface WireMetric {
  key: string;
  value: number | string;
  timestamp?: number | string;
  step?: number | string;
}

export interface WireRun {
  info: WireRunInfo;
  data?: {
    metrics?: WireMetric[];
    params?: { key: string; value: string }[];
    tags?: { key: string; value: string }[];
  };
}

export function toExperiment(wire: WireExperiment): Experiment {
  return {
    experimentId: wire.experiment_id,
    name: wire.name,
    artifactLocation: wire.artifact_location ?? '',
    lifecycleStage: wire.lifecycle_stage ?? 'active',
  };
}

export function toRunInfo(wire: WireRunInfo): RunInfo {
  const info: RunInfo = {
    runId: wire.run_id ?? wire.run_uuid ?? '',
    experimentId: wire.experiment_id,
    runName: wire.run_name ?? '',
    status: wire.status ?? 'RUNNING',
    startTime: Number(wire.start_time ?? 0),
    artifactUri: wire.artifact_uri ?? '',
    lifecycleStage: wire.lifecycle_stage ?? 'active',
  };
  if (wire.end_time !== undefined) info.endTime = Number(wire.end_time);
  return info;
}

export function toMetric(wire: WireMetric): Metric {
  return { key: wire.key, value: Number(wire.value), timestamp: Number(wire.timestamp ?? 0), step: Number(wire.step ?? 0) };
}

export function toRun(wire: WireRun): Run {
  return {
    info: toRunInfo(wire.info),
    metrics: (wire.data?.metrics ?? []).map(toMetric),
    params: Object.fromEntries((wire.data?.params ?? []).map((p) => [p.key, p.value])),
    tags: Object.fromEntries((wire.data?.tags ?? []).map((t) => [t.key, t.value])),
  };
}
