/**
 * Reading OIOI bodies: one call key, lenient normalization, schema validation with errors that
 * name the JSON path of the first problem.
 */
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { calls } from './messages/index.js';
import type { CallDefinition } from './registry-types.js';
import { OioiError } from './errors.js';
import { jsonPath, resolvePointer } from './json-path.js';
import { readCode } from './result-codes.js';
import { isRecord } from './messages/common.js';

/** Every call the registry knows, by name. */
export type CallMap = typeof calls;
export type CallName = keyof CallMap;
/** The payload of a call's request (the value under its call key). */
export type RequestOf<K extends CallName> = Static<CallMap[K]['request']>;
/** The whole response body of a call (`result` and the call's own keys). */
export type ResponseOf<K extends CallName> = Static<CallMap[K]['response']>;
/** A parsed request: the call name and its normalized payload, discriminated by `call`. */
export type ParsedRequest = { [K in CallName]: { call: K; payload: RequestOf<K> } }[CallName];

/** Every call name the registry knows. Example: `callNames.includes('station-post')`. */
export const callNames: readonly CallName[] = Object.freeze(Object.keys(calls) as CallName[]);

/** The definition of a call, or undefined. Example: `callDefinition('rfid-verify')?.roles`. */
export function callDefinition(name: string): CallDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(calls, name) ? (calls as Record<string, CallDefinition>)[name] : undefined;
}

type Validator = ReturnType<typeof Compile>;
const validators = new Map<TSchema, Validator>();
function validatorOf(schema: TSchema): Validator {
  let v = validators.get(schema);
  if (!v) {
    v = Compile(schema);
    validators.set(schema, v);
  }
  return v;
}

/**
 * The `errorMessage` of the schema at `schemaPath`, or of the union that holds it: a value that
 * matches no branch of `anyOf` is reported with the union's message, not a branch's.
 */
function errorMessageAt(schema: TSchema, schemaPath: string): string | undefined {
  let parts = schemaPath.split('/');
  while (parts.length >= 1) {
    const node = resolvePointer(schema, parts.join('/')) as { errorMessage?: string } | undefined;
    if (node?.errorMessage) return node.errorMessage;
    const last = parts[parts.length - 1]!;
    if (!/^[0-9]+$/.test(last) && !['anyOf', 'oneOf', 'allOf', 'const', 'enum', 'type', 'pattern', 'format'].includes(last)) return undefined;
    parts = parts.slice(0, -1);
  }
  return undefined;
}

/** Validates `value` against `schema`; throws a 230 naming `root` + the path of the first error. */
export function validate(schema: TSchema, value: unknown, root: string): void {
  const v = validatorOf(schema);
  if (v.Check(value)) return;
  const first = [...v.Errors(value)][0];
  if (!first) throw new OioiError(230, `${root}: invalid`);
  let path = jsonPath(root, first.instancePath);
  // A failed `if`/`then` (a field checked by the value of another, e.g. `identifier` by
  // `identifier-type`) reports only the `if`; validate the `then` branch to name the field itself.
  if (first.keyword === 'if') {
    const then = resolvePointer(schema, `${first.schemaPath}/then`) as TSchema | undefined;
    if (then) validate(then, resolvePointer(value, first.instancePath), path);
  }
  let what = errorMessageAt(schema, first.schemaPath) ?? first.message;
  const params = first.params as { requiredProperties?: string[] } | undefined;
  if (first.keyword === 'required' && params?.requiredProperties?.length) {
    path = jsonPath(root, `${first.instancePath}/${params.requiredProperties[0]}`);
    what = 'is required';
  }
  throw new OioiError(230, `${path}: ${what}`, { details: { path } });
}

function toBody(body: unknown): unknown {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    try {
      return JSON.parse(text);
    } catch {
      throw new OioiError(230, 'body is not valid JSON');
    }
  }
  return body;
}

/**
 * Reads a request body (parsed JSON, or its text): exactly one call key, a known call, a payload
 * that passes the call's schema after lenient normalization.
 * Throws OioiError 230 (bad shape) or 200 (unknown call).
 * Example: `const { call, payload } = parseRequest({ 'connector-post-status': {...} })`.
 */
export function parseRequest(body: unknown): ParsedRequest {
  const value = toBody(body);
  if (!isRecord(value)) throw new OioiError(230, 'body must be one JSON object');
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    throw new OioiError(230, keys.length === 0 ? 'body holds no call key' : `body must hold exactly one call key, found ${keys.length} (${keys.slice(0, 5).join(', ')})`);
  }
  const call = keys[0]!;
  const def = callDefinition(call);
  if (!def) throw new OioiError(200, `unknown call '${call.slice(0, 64)}'`);
  let payload: unknown = structuredClone(value[call]);
  if (def.normalizeRequest && isRecord(payload)) payload = def.normalizeRequest(payload);
  validate(def.request, payload, call);
  return { call, payload } as ParsedRequest;
}

/**
 * Reads the response body of `call`: result codes sent as zero-padded strings become integers,
 * then the body is normalized and validated like a request.
 * Example: `parseResponse('rfid-verify', { result: { code: '000', message: 'ok' } }).result.code === 0`.
 */
export function parseResponse<K extends CallName>(call: K, body: unknown): ResponseOf<K> {
  const def = callDefinition(call);
  if (!def) throw new OioiError(200, `unknown call '${String(call).slice(0, 64)}'`);
  let value = structuredClone(toBody(body));
  if (!isRecord(value)) throw new OioiError(230, `${call} response: body must be one JSON object`);
  // Some implementations (and three of the spec's examples) answer the payload alone, without
  // `result`; a body that carries payload keys but no result is read as a success.
  if (value.result === undefined && Object.keys(value).length > 0) value.result = { code: 0, message: '' };
  if (isRecord(value.result)) {
    const code = readCode(value.result.code);
    if (code !== undefined) value.result.code = code;
    if (value.result.message === undefined || value.result.message === null) value.result.message = '';
  }
  if (def.normalizeResponse) value = def.normalizeResponse(value) as Record<string, any>;
  validate(def.response, value, `${call} response`);
  return value as ResponseOf<K>;
}

/**
 * The JSON Schema of a whole request body (`{ "<call>": payload }`) or of a response body.
 * Example: `schemaOf('station-post', 'request').required[0] === 'station-post'`.
 */
export function schemaOf(call: string, kind: 'request' | 'response'): Record<string, unknown> {
  const def = callDefinition(call);
  if (!def) throw new OioiError(200, `unknown call '${call.slice(0, 64)}'`);
  const strip = (s: unknown) => JSON.parse(JSON.stringify(s));
  if (kind === 'response') return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: `${call} response`, ...strip(def.response) };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${call} request`,
    type: 'object',
    required: [call],
    properties: { [call]: strip(def.request) },
    additionalProperties: false,
  };
}
