/**
 * The ready-to-paste curl commands of the banner. Every body is plain JSON inside single quotes,
 * so it must hold no single quote: the values put in (keys, ids, EVSE IDs) never do.
 */

export interface Example {
  title: string;
  url: string;
  apiKey: string;
  body: Record<string, unknown>;
}

/**
 * One curl command on one line. `-w '\n'` ends the answer with a newline so the shell prompt
 * does not stick to it.
 * Example: `curlLine({ title, url, apiKey, body: { 'api-minimum-version-number': {} } })`.
 */
export function curlLine(e: Example): string {
  const json = JSON.stringify(e.body);
  if (json.includes("'") || e.apiKey.includes("'") || e.url.includes("'")) throw new Error(`demo: cannot quote the example '${e.title}' for a shell`);
  return `curl -sS -w '\\n' -X POST '${e.url}' -H 'Authorization: key=${e.apiKey}' -H 'Content-Type: application/json' -d '${json}'`;
}

/**
 * The URL to print: a hub bound to every interface (0.0.0.0, ::) is reached on loopback.
 * Example: `reachableUrl('http://0.0.0.0:8080/api/v4/request') === 'http://127.0.0.1:8080/api/v4/request'`.
 */
export function reachableUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.href;
}
