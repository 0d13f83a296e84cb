/**
 * Turns a JSON pointer (`/station/connectors/1/id`) under a call name into the dotted path people
 * read (`station-post.station.connectors[1].id`).
 */
export function jsonPath(root: string, pointer: string): string {
  if (pointer === '' || pointer === '/') return root;
  let out = root;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^[0-9]+$/.test(part) ? `[${part}]` : `.${part}`;
  }
  return out;
}

/** Resolves a JSON pointer (`#/properties/a`) inside a schema object; undefined when absent. */
export function resolvePointer(root: unknown, pointer: string): unknown {
  let node: any = root;
  for (const raw of pointer.replace(/^#/, '').split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
