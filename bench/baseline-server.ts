/**
 * The baseline: a bare node:http server that reads the body, parses it as JSON and answers a
 * constant success body of a given size, with the same headers the hub sends. Every hub figure is
 * divided by this server's, measured in the same run on the same core.
 * Usage: `node bench/baseline-server.ts <answer bytes>`; prints `baseline listening on URL`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A success body of exactly `size` bytes (at least the bare result). Example: `answerOfSize(60)`. */
export function answerOfSize(size: number): string {
  const head = '{"result":{"code":0,"message":"Success."},"pad":"';
  const tail = '"}';
  return head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail;
}

const body = answerOfSize(Number(process.argv[2] ?? 42));
const length = Buffer.byteLength(body);
let seq = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let code = 200;
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      code = 400;
    }
    res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'content-length': length, 'x-request-id': `baseline-${(++seq).toString(36)}` });
    res.end(body);
  });
});
server.keepAliveTimeout = 15_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`baseline listening on http://127.0.0.1:${port}/api/v4/request\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
