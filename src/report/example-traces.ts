/**
 * example.json, the traces file of an example page (format in
 * docs/compare.md): written by the digitizer stage
 * (train/stages/example-page.ts), read by the report (example-overlay.ts).
 * Imports nothing, so the stage does not load the report's plotting.
 */
export const EXAMPLE_IMAGE = 'example.png';
export const EXAMPLE_JSON = 'example.json';

/** A point in image pixels (x right, y down); null breaks the line. */
export type TracePoint = readonly [number, number] | null;

/** One lead's digitized trace and, where known, the renderer's reference. */
export interface ExampleTrace {
  readonly lead: string;
  readonly points: TracePoint[];
  readonly reference?: TracePoint[];
}

/** example.json. */
export interface ExampleTraces {
  readonly version: 1;
  readonly image: string;
  readonly leads: ExampleTrace[];
}

