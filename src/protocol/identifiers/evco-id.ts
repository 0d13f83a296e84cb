/**
 * EVCO ID (contract id). Two forms are accepted (shared/protocol.md, "Identifiers"):
 * the glossary's DIN SPEC 91286 form with a 6-character instance and a check character
 * (digit or X), and the ISO 15118 eMA ID form with a 9-character instance and an optional
 * check character. Separators `*` or `-` are optional.
 */
export const EVCO_ID_PATTERN =
  '^(?:[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}[*-]?[A-Za-z0-9]{6}[*-]?[0-9Xx]|[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}[*-]?[A-Za-z0-9]{9}(?:[*-]?[A-Za-z0-9])?)$';
const EVCO_ID_RE = new RegExp(EVCO_ID_PATTERN);

/** Whether a string is a well-formed EVCO ID. Example: `isEvcoId('DE*8PS*123456*7') === true`. */
export function isEvcoId(value: string): boolean {
  return EVCO_ID_RE.test(value);
}

/**
 * The EMP prefix of an EVCO ID (country code + provider id, upper case, no separators) by which
 * the hub routes. Example: `evcoPrefix('de-8ps-123456-7') === 'DE8PS'`.
 */
export function evcoPrefix(value: string): string {
  return value.replace(/[*-]/g, '').slice(0, 5).toUpperCase();
}

/** The two layouts of an EVCO ID: DIN SPEC 91286 (6-char instance) and ISO 15118 (9-char instance). */
export type EvcoForm = 'din' | 'iso';

/** An EVCO ID split into its parts, upper case. `check` is absent for an ISO id sent without one. */
export interface EvcoIdParts {
  form: EvcoForm;
  country: string;
  provider: string;
  instance: string;
  check?: string;
}

/**
 * Splits a well-formed EVCO ID into its parts, or returns undefined. The form follows from the
 * length once separators are removed: 12 characters is DIN (6 + check), 14 or 15 is ISO.
 * Example: `parseEvcoId('DE*8PS*156456730*9')` gives `{ form: 'iso', instance: '156456730', check: '9', … }`.
 */
export function parseEvcoId(value: string): EvcoIdParts | undefined {
  if (!isEvcoId(value)) return undefined;
  const compact = value.replace(/[*-]/g, '').toUpperCase();
  const country = compact.slice(0, 2);
  const provider = compact.slice(2, 5);
  if (compact.length === 12) return { form: 'din', country, provider, instance: compact.slice(5, 11), check: compact.slice(11) };
  const parts: EvcoIdParts = { form: 'iso', country, provider, instance: compact.slice(5, 14) };
  if (compact.length === 15) parts.check = compact.slice(14);
  return parts;
}

/**
 * The project's canonical spelling of an EVCO ID: upper case, parts joined by `*` (the separator
 * the OIOI spec's examples use), check character kept when present. Undefined when malformed.
 * Example: `normalizeEvcoId('de-8ps-156456730-9') === 'DE*8PS*156456730*9'`.
 */
export function normalizeEvcoId(value: string): string | undefined {
  const p = parseEvcoId(value);
  if (!p) return undefined;
  return [p.country, p.provider, p.instance, ...(p.check === undefined ? [] : [p.check])].join('*');
}

// ---------------------------------------------------------------------------------------------
// Check characters.
//
// ISO 15118 / eMI3 (9-character instance): the method of the e-clearing.net / eMI3 paper "Check
// Digit Calculation for Contract-IDs". Each of the 36 characters stands for a pair of small
// vectors: q (two bits, the character's value divided by 9) and r (two base-3 digits, the value
// modulo 9). Position i (1-based, 1..15) weighs q by P1^i over GF(2) and r by P2^i over GF(3),
// with P1 = [[0,1],[1,1]] and P2 = [[0,1],[1,2]]. The check character is the one character that,
// placed at position 15, makes both weighted sums zero. Because the character <-> (q, r) mapping
// is one-to-one and P1^15, P2^15 are invertible, exactly one character does.
//
// DIN SPEC 91286 (6-character instance): every character is written as its decimal value
// (0..9 for digits, 10..35 for A..Z), the resulting digit string is weighted 1, 2, 4, 8, … from the
// left, and the sum modulo 11 is the check digit, 10 written as X. The DIN SPEC itself is not
// public; this reading is confirmed only by the vectors of ShellRechargeSolutionsEU/mobilityid
// (see evco-id.test.ts), which call it the "old Excel sheet" method.
// ---------------------------------------------------------------------------------------------

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

type Vec2 = readonly [number, number];
type Mat2 = readonly [Vec2, Vec2];

function matMul(a: Mat2, b: Mat2, mod: number): Mat2 {
  const cell = (i: 0 | 1, j: 0 | 1) => (a[i][0] * b[0][j] + a[i][1] * b[1][j]) % mod;
  return [
    [cell(0, 0), cell(0, 1)],
    [cell(1, 0), cell(1, 1)],
  ];
}

/** [p^1, p^2, …, p^n] modulo `mod`. */
function powers(p: Mat2, mod: number, n: number): Mat2[] {
  const out: Mat2[] = [p];
  while (out.length < n) out.push(matMul(out[out.length - 1]!, p, mod));
  return out;
}

const P1_POWERS = powers([[0, 1], [1, 1]], 2, 15);
const P2_POWERS = powers([[0, 1], [1, 2]], 3, 15);

/** Row vector times matrix, added into `acc`, modulo `mod`. */
function addWeighted(acc: [number, number], v: Vec2, m: Mat2, mod: number): void {
  acc[0] = (acc[0] + v[0] * m[0][0] + v[1] * m[1][0]) % mod;
  acc[1] = (acc[1] + v[0] * m[0][1] + v[1] * m[1][1]) % mod;
}

/** Whether the 15 upper-case characters satisfy the ISO 15118 check equations. */
function isoSumsVanish(chars: string): boolean {
  const q: [number, number] = [0, 0];
  const r: [number, number] = [0, 0];
  for (let i = 0; i < chars.length; i++) {
    const value = ALPHABET.indexOf(chars[i]!);
    const high = Math.floor(value / 9);
    const low = value % 9;
    addWeighted(q, [high >> 1, high & 1], P1_POWERS[i]!, 2);
    addWeighted(r, [Math.floor(low / 3), low % 3], P2_POWERS[i]!, 3);
  }
  return q[0] === 0 && q[1] === 0 && r[0] === 0 && r[1] === 0;
}

function isoCheckChar(body: string): string {
  for (const c of ALPHABET) if (isoSumsVanish(body + c)) return c;
  throw new Error(`no ISO 15118 check character for ${body}`); // unreachable: exactly one exists
}

function dinCheckDigit(body: string): string {
  const digits = [...body].map((c) => String(ALPHABET.indexOf(c))).join('');
  let sum = 0;
  let weight = 1;
  for (const d of digits) {
    sum += Number(d) * weight;
    weight *= 2;
  }
  const rest = sum % 11;
  return rest === 10 ? 'X' : String(rest);
}

/**
 * The check character of an EVCO ID given without it (separators and case do not matter):
 * 14 characters (ISO 15118 eMA ID, 9-char instance) give the ISO/eMI3 check character,
 * 11 characters (DIN SPEC 91286, 6-char instance) give the DIN check digit (0-9 or X).
 * Throws a RangeError on anything else.
 * Example: `computeEvcoCheckDigit('DE-8AA-CA2B3C4D5') === 'L'`, `computeEvcoCheckDigit('NL*TNM*122045') === '0'`.
 */
export function computeEvcoCheckDigit(idWithoutCheck: string): string {
  const compact = idWithoutCheck.replace(/[*-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}[A-Z0-9]{3}(?:[A-Z0-9]{6}|[A-Z0-9]{9})$/.test(compact)) {
    throw new RangeError(`not an EVCO ID without check character: '${idWithoutCheck.slice(0, 40)}'`);
  }
  return compact.length === 14 ? isoCheckChar(compact) : dinCheckDigit(compact);
}

/**
 * Checks the check character of an EVCO ID. `not-checkable` when the id carries none (an ISO id
 * with only the 9-character instance) or is not an EVCO ID at all (format is `isEvcoId`'s job).
 * A mismatch is `invalid`: the project reports it as a warning and does not reject the id
 * (shared/protocol.md), since the spec's own examples carry wrong ones.
 * Example: `verifyEvcoCheckDigit('NL-TNM-000122045-U') === 'valid'`.
 */
export function verifyEvcoCheckDigit(evcoId: string): 'valid' | 'invalid' | 'not-checkable' {
  const p = parseEvcoId(evcoId);
  if (!p || p.check === undefined) return 'not-checkable';
  return computeEvcoCheckDigit(p.country + p.provider + p.instance) === p.check ? 'valid' : 'invalid';
}

/**
 * Builds an EVCO ID with a correct check character, in the canonical `*` spelling. A 9-character
 * instance gives the ISO 15118 form, a 6-character one the DIN SPEC 91286 form. Throws a
 * RangeError when a part has the wrong length or characters.
 * Example: `makeEvcoId('nl', 'tnm', '000122045') === 'NL*TNM*000122045*U'`.
 */
export function makeEvcoId(country: string, provider: string, instance: string): string {
  const c = country.toUpperCase();
  const p = provider.toUpperCase();
  const i = instance.toUpperCase();
  if (!/^[A-Z]{2}$/.test(c)) throw new RangeError(`country must be two letters, got '${country}'`);
  if (!/^[A-Z0-9]{3}$/.test(p)) throw new RangeError(`provider must be three letters or digits, got '${provider}'`);
  if (!/^(?:[A-Z0-9]{6}|[A-Z0-9]{9})$/.test(i)) throw new RangeError(`instance must be 6 (DIN) or 9 (ISO) letters or digits, got '${instance}'`);
  return [c, p, i, computeEvcoCheckDigit(c + p + i)].join('*');
}
