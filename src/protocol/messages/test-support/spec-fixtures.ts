/** Reading the spec's transcribed examples (test/fixtures/spec/<call>/*.json) in tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callDefinition, parseRequest, parseResponse, validate, type CallName } from '../../parse.js';

const root = fileURLToPath(new URL('../../../../test/fixtures/spec/', import.meta.url));

/** The example files of a call, sorted (`request.json`, `response.json`, `response-2.json`…). */
export function fixtures(call: string): string[] {
  return readdirSync(`${root}${call}`).filter((f) => f.endsWith('.json')).sort();
}

/** One example, parsed. */
export function load(call: string, file: string): any {
  return JSON.parse(readFileSync(`${root}${call}/${file}`, 'utf8'));
}

/** Reads an example as the call's reader would: request payload or whole response body. */
export function read(call: CallName, file: string, body: unknown): any {
  return file.startsWith('request') ? parseRequest(body).payload : parseResponse(call, body);
}

/** Validates an example against the strict schema only, with no lenient reading. */
export function strict(call: CallName, file: string, body: any): void {
  const def = callDefinition(call)!;
  if (file.startsWith('request')) validate(def.request, body[call], call);
  else validate(def.response, body, `${call} response`);
}

/** A fixture file's text as transcribed (`response.raw.txt`: what the page prints, not JSON). */
export function loadText(call: string, file: string): string {
  return readFileSync(`${root}${call}/${file}`, 'utf8');
}
