import type { SchemaTree } from './types.js';

export interface TrackingConfig {
  uri: string;
  runsDir: string;
}

export const trackingSchema: SchemaTree = {
  tracking: {
    uri: {
      doc: 'MLflow tracking server URI (http://host:port); empty keeps runs local only. MLFLOW_TRACKING_URI overrides it.',
      format: String,
      default: '',
    },
    runsDir: { doc: 'Folder of the local run store and stage cache.', format: String, default: 'runs' },
  },
};
