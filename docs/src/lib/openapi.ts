// Helpers to render the server's OpenAPI document (internal/httpserver/openapi.json)
// at build time. Only what that document uses is supported: local $refs,
// objects, arrays, enums and a few constraints.

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  description?: string;
  maxLength?: number;
  maxItems?: number;
}

export interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  description?: string;
}

export interface MediaType {
  schema?: Schema;
  encoding?: Record<string, { contentType?: string }>;
}

export interface Response {
  description: string;
  headers?: Record<string, { schema?: Schema; description?: string }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response>;
}

export interface SecurityScheme {
  type: string;
  in?: string;
  name?: string;
  scheme?: string;
  description?: string;
}

export interface Document {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation | Parameter[]>>;
  components: { securitySchemes: Record<string, SecurityScheme>; schemas: Record<string, Schema> };
}

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Endpoint {
  method: string;
  path: string;
  id: string;
  op: Operation;
  parameters: Parameter[];
}

/** Every operation of the document, in document order, with path-level parameters merged in. */
export function endpoints(doc: Document): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = (item.parameters as Parameter[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const own = op.parameters ?? [];
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
      out.push({ method: method.toUpperCase(), path, id: operationId(method, path), op, parameters });
    }
  }
  return out;
}

/** A stable anchor for an operation: "post-api-v1-reports", "post-sdk-slug-feedback". */
export function operationId(method: string, path: string): string {
  return `${method.toLowerCase()}-${path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '')}`.toLowerCase();
}

export function refName(ref: string): string {
  return ref.replace('#/components/schemas/', '');
}

export function schemaAnchor(name: string): string {
  return `schema-${name.toLowerCase()}`;
}

/** The schema a $ref points at, or the schema itself. */
export function deref(doc: Document, s: Schema | undefined): Schema | undefined {
  if (!s?.$ref) return s;
  return doc.components.schemas[refName(s.$ref)];
}

/** A short type label: "string (email)", "array of Frame", "object". */
export function typeLabel(s: Schema | undefined): { text: string; ref?: string } {
  if (!s) return { text: 'any' };
  if (s.$ref) return { text: refName(s.$ref), ref: refName(s.$ref) };
  if (s.type === 'array') {
    const inner = typeLabel(s.items);
    return { text: `array of ${inner.text}`, ref: inner.ref };
  }
  const base = s.type ?? 'any';
  return { text: s.format ? `${base} (${s.format})` : base };
}

/** Constraints worth showing beside a field. */
export function constraints(s: Schema | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  if (s.enum) out.push(`one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (s.maxLength !== undefined) out.push(`at most ${s.maxLength} characters`);
  if (s.maxItems !== undefined) out.push(`at most ${s.maxItems} items`);
  if (s.type === 'object' && s.additionalProperties === true && !s.properties) out.push('any JSON object');
  return out;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The document's descriptions use `code` spans and nothing else of Markdown. */
export function inline(text: string | undefined): string {
  if (!text) return '';
  return escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** How to group operations on the page. */
export function groupOf(path: string): string {
  if (path === '/api/v1/reports' || path.startsWith('/sdk/')) return 'Ingest';
  if (path.startsWith('/api/v1/attachments')) return 'Attachments';
  if (path.startsWith('/api/v1/auth')) return 'Authentication';
  return 'Server';
}
