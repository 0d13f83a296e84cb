/**
 * What the soak measures of a hub process from outside: open sockets and RSS from /proc, and how
 * long a trivial call takes (a stalled or overloaded event loop shows up there first).
 * Example: `const m = await measure(hub.child.pid!, hub.url, key)`.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';

export interface Health {
  /** Entries of /proc/<pid>/fd that are sockets (listening, client and partner connections). */
  sockets: number;
  rssMiB: number;
  /** Latency of api-minimum-version-number, sequential, in ms. */
  probeP50Ms: number;
  probeP99Ms: number;
}

/** Sockets the process holds open. Example: `openSockets(1234) === 3`. */
export function openSockets(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed between listing and reading
    }
  }
  return n;
}

/** Resident memory of the process in MiB. Example: `rssMiB(1234) > 20`. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** POSTs one JSON body with `agent`; resolves status, parsed body and elapsed ms (rejects on transport errors). */
export function post(url: string, key: string, body: unknown, agent: http.Agent, timeoutMs = 30_000): Promise<{ status: number; body: any; ms: number }> {
  const data = JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `key=${key}`, 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: any;
        try { parsed = JSON.parse(text); } catch { parsed = text; }
        resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - t0 });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** Measures a quiet hub: sockets, RSS, and 40 sequential cheap calls on a fresh connection. */
export async function measure(pid: number, url: string, key: string): Promise<Health> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < 40; i++) times.push((await post(url, key, { 'api-minimum-version-number': {} }, agent)).ms);
  } finally {
    agent.destroy();
  }
  await new Promise((r) => setTimeout(r, 300)); // the hub sees the probe's connection close
  return { sockets: openSockets(pid), rssMiB: rssMiB(pid), probeP50Ms: quantile(times, 0.5), probeP99Ms: quantile(times, 0.99) };
}
