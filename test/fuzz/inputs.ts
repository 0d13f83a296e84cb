/**
 * Hostile request bodies for every call of the registry, as fast-check arbitraries: random JSON,
 * mutations of the spec's examples (hostile values at random places, removed and added keys,
 * duplicate keys, `__proto__`/`constructor` keys, 1e400), byte-level damage (invalid UTF-8,
 * truncation) and bodies of the wrong shape. Each input says whether it must be refused.
 * Example: `fc.sample(fuzzInput(pids, served), 1)[0].body`.
 */
import fc from 'fast-check';
import { callDefinition, callNames, type CallName } from '../../src/protocol/index.js';
import { examplePayloadFor, fuzzRoles, type FuzzRole } from './target.js';

export interface FuzzInput {
  role: FuzzRole;
  call: string;
  kind: string;
  body: string | Buffer;
  /** True when no reading of the protocol could accept the body: it must get a 4xx. */
  mustFail: boolean;
}

/** A value to put somewhere, possibly as raw JSON text that JSON.stringify cannot make. */
interface Hostile {
  value?: unknown;
  raw?: string;
}

const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);

const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ value })) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((value) => ({ value })) },
  { weight: 3, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53 + 1, Number.MAX_VALUE, 1e-320)).map((value) => ({ value })) },
  {
    weight: 4,
    arbitrary: fc.constantFrom<Hostile>(
      { raw: '1e400' },
      { raw: '-1e400' },
      { raw: '1e-400' },
      { raw: '123456789012345678901234567890' },
      { raw: '-0' },
      { raw: '"\\ud800"' },
      { raw: '"\\udfff\\ud800"' },
      { raw: '"\\u0000"' },
      { raw: '"DE*8PS*E1\\u0000"' },
      { raw: '{"__proto__":{"polluted":"yes"}}' },
      { raw: '{"constructor":{"prototype":{"polluted":"yes"}}}' },
      { raw: '{"toString":1,"valueOf":2,"hasOwnProperty":3}' },
      { value: null },
      { value: true },
      { value: '' },
      { value: [] },
      { value: {} },
      { value: ' ' },
      { value: 'NaN' },
      { value: '2024-02-30T25:61:61+00:00' },
      { value: '../../../etc/passwd' },
      { value: "' OR 1=1; --" },
      { value: '%s%n%x' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Hostile>(
      { value: 'x'.repeat(16_385) },
      { value: 'ü'.repeat(16_384) },
      { value: new Array(10_001).fill(0) },
      { value: new Array(3000).fill('DE*8PS*E1') },
      { value: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])) },
      { raw: nest(40) },
      { raw: nest(5000) },
    ),
  },
);

const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'partner-identifier', 'id'), fc.string({ maxLength: 12 }));

type Path = Array<string | number>;

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) pathsOf((value as Record<string, unknown>)[k], [...path, k], out);
  return out;
}

// Own-property access only: the bodies hold keys like `__proto__`, whose plain assignment would
// change prototypes (of the test's own objects) instead of setting a field.
function getOwn(obj: any, key: string | number): any {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}
function setOwn(obj: any, key: string | number, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

function parentOf(root: Record<string, unknown>, path: Path): { parent: any; key: string | number } {
  let parent: any = root;
  for (let i = 0; i < path.length - 1; i++) parent = getOwn(parent, path[i]!);
  return { parent, key: path[path.length - 1]! };
}

const RAW = '\u0001raw\u0001';
const DUP = '\u0001dup\u0001';

/** Puts `h` at `path` of `body` (a fresh copy), then serializes with raw texts spliced in. */
function serializeWith(body: Record<string, unknown>, path: Path, op: 'replace' | 'delete' | 'add' | 'dup' | 'wrap', h: Hostile, key: string): string {
  // A fresh copy: constant hostile values are shared between runs and must never alias.
  const slot = h.raw !== undefined ? RAW : structuredClone(h.value);
  const { parent, key: last } = parentOf(body, path);
  const target = getOwn(parent, last);
  let dupOf: string | undefined;
  if (op === 'replace') setOwn(parent, last, slot);
  else if (op === 'wrap') setOwn(parent, last, key.length % 2 === 0 ? [target] : Object.defineProperty({}, key, { value: target, enumerable: true }));
  else if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
    if (op === 'dup' && Object.keys(target).length > 0) {
      dupOf = Object.keys(target)[0]!;
      setOwn(target, DUP, slot);
    } else setOwn(target, key, slot);
  } else if (Array.isArray(target)) target.push(slot);
  else setOwn(parent, last, slot);
  let text = JSON.stringify(body);
  if (h.raw !== undefined) text = text.replace(JSON.stringify(RAW), h.raw);
  if (dupOf !== undefined) text = text.replace(JSON.stringify(DUP), JSON.stringify(dupOf));
  return text;
}

/** Any call of the registry, four times as often one the hub serves (those go deeper). */
function callArbOf(served: readonly CallName[]): fc.Arbitrary<CallName> {
  const others = callNames.filter((c) => !served.includes(c));
  if (served.length === 0 || others.length === 0) return fc.constantFrom(...callNames);
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...served) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
}

/** The role that sends: mostly one the call allows (so the schema is reached), sometimes any. */
function roleFor(call: string): fc.Arbitrary<FuzzRole> {
  const roles = callDefinition(call)?.roles;
  const allowed = roles === undefined ? [...fuzzRoles] : roles === '*' ? [...fuzzRoles] : fuzzRoles.filter((r) => roles.includes(r));
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(allowed.length ? allowed : fuzzRoles)) }, { weight: 1, arbitrary: fc.constantFrom(...fuzzRoles) });
}

function mutatedExample(pids: Record<FuzzRole, string>, callArb: fc.Arbitrary<CallName>): fc.Arbitrary<FuzzInput> {
  return callArb.chain((call) =>
    fc.record({ role: roleFor(call), at: fc.nat(), op: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'add', 'dup', 'wrap') as fc.Arbitrary<'replace'>, h: hostileValue, key: hostileKey, extra: fc.nat(3) }).map(({ role, at, op, h, key, extra }) => {
      const body = { [call]: examplePayloadFor(call as CallName, pids[role]) };
      const paths = pathsOf(body).slice(1); // never the body object itself
      let text = serializeWith(body, paths[at % paths.length]!, op, h, key);
      // Sometimes a second, independent mutation on top.
      // (Not on top of raw texts: re-serializing 5000 levels of nesting would overflow our own stack.)
      const again = extra === 0 && h.raw === undefined ? JSON.parse(text) : undefined;
      const p2 = again !== null && typeof again === 'object' ? pathsOf(again).slice(1) : [];
      if (p2.length > 0) {
        text = serializeWith(again, p2[(at * 31 + 7) % p2.length]!, 'replace', { value: null }, key);
      }
      return { role, call, kind: `mutate:${op}`, body: text, mustFail: false };
    }),
  );
}

const badUtf8 = [[0xff], [0xfe], [0xc0, 0xaf], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]];

function damagedBytes(pids: Record<FuzzRole, string>, callArb: fc.Arbitrary<CallName>): fc.Arbitrary<FuzzInput> {
  return callArb.chain((call) =>
    fc.record({ role: roleFor(call), at: fc.nat(), op: fc.constantFrom('utf8', 'truncate', 'byte', 'bom'), seq: fc.constantFrom(...badUtf8), byte: fc.integer({ min: 0, max: 255 }) }).map(({ role, at, op, seq, byte }) => {
      const valid = Buffer.from(JSON.stringify({ [call]: examplePayloadFor(call, pids[role]) }), 'utf8');
      const pos = at % valid.length;
      if (op === 'utf8') return { role, call, kind: 'bytes:invalid-utf8', body: Buffer.concat([valid.subarray(0, pos), Buffer.from(seq), valid.subarray(pos)]), mustFail: true };
      if (op === 'truncate') return { role, call, kind: 'bytes:truncated', body: valid.subarray(0, pos), mustFail: true };
      if (op === 'bom') return { role, call, kind: 'bytes:bom', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]), mustFail: false };
      const copy = Buffer.from(valid);
      copy[pos] = byte;
      return { role, call, kind: 'bytes:changed', body: copy, mustFail: byte >= 0x80 && valid[pos]! < 0x80 && (byte < 0xc2 || byte > 0xf4) };
    }),
  );
}

/** Whether a parsed body has exactly one key and it names a call (else the shape must be refused). */
function hasOneCallKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && callDefinition(keys[0]!) !== undefined;
}

const wrongShape: fc.Arbitrary<FuzzInput> = fc
  .record({
    role: fc.constantFrom(...fuzzRoles),
    text: fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('', ' ', 'null', '[]', '{}', '"station-post"', '{"__proto__":{"station-post":{}}}', '{"constructor":{}}', '{"toString":{}}', '{"hasOwnProperty":{}}', '{"station-post":{},"rfid-verify":{}}', '{"rfid-verify":{"rfid":"12345678"}} {}', '{"rfid-verify":', 'undefined', 'NaN', '1e400'),
      fc.tuple(fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => JSON.stringify({ [k]: v })),
    ),
  })
  .map(({ role, text }) => {
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      ok = false;
    }
    return { role, call: '(shape)', kind: 'shape', body: text, mustFail: !ok || !hasOneCallKey(parsed) };
  });

function randomPayload(callArb: fc.Arbitrary<CallName>): fc.Arbitrary<FuzzInput> {
  return callArb.chain((call) => fc.record({ role: roleFor(call), v: fc.jsonValue({ maxDepth: 4 }) }).map(({ role, v }) => ({ role, call, kind: 'random-payload', body: JSON.stringify({ [call]: v }), mustFail: false })));
}

/** Every kind of hostile input, weighted toward mutations of valid messages (they go deepest). */
export function fuzzInput(pids: Record<FuzzRole, string>, served: readonly CallName[] = []): fc.Arbitrary<FuzzInput> {
  const callArb = callArbOf(served);
  return fc.oneof({ weight: 6, arbitrary: mutatedExample(pids, callArb) }, { weight: 2, arbitrary: damagedBytes(pids, callArb) }, { weight: 1, arbitrary: wrongShape }, { weight: 2, arbitrary: randomPayload(callArb) });
}
