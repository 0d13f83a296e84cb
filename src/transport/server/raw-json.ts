/**
 * A value of a handler's answer that is already JSON text: the server writes it as it is instead
 * of serializing an object tree. For large answers built in one pass (station-get-surface's
 * hundred stations: building the objects and JSON.stringify of them cost three times more than
 * writing the text directly). The text must be valid JSON; with `validateResponses` the whole
 * answer is parsed and checked against its schema as any other.
 */
export class RawJson {
  /** Text, or its UTF-8 bytes (see json-bytes.ts). Example: `{ hasMore: false, stations: new RawJson('[]') }`. */
  constructor(readonly json: string | Uint8Array) {}
}
