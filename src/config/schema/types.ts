/**
 * A config group's schema in convict's own form. Each group lives in its own
 * file under config/schema/ with its TypeScript shape beside it, so that the
 * folder that owns a group (render/, data/, models/) edits one file.
 */
export type SchemaEntry = {
  doc: string;
  format: unknown;
  default: unknown;
  nullable?: boolean;
  sensitive?: boolean;
};

export type SchemaTree = { [key: string]: SchemaEntry | SchemaTree };

export function isSchemaEntry(node: SchemaEntry | SchemaTree): node is SchemaEntry {
  return Object.prototype.hasOwnProperty.call(node, 'doc') && Object.prototype.hasOwnProperty.call(node, 'default');
}
