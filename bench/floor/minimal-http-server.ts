/**
 * A measuring stick, not a server to use: the least an HTTP/1.1 keep-alive server can do per
 * request on `node:net` (find the head's end, read Content-Length, wait for the body, JSON.parse
 * it, answer a constant body with the baseline's headers in one write). No chunked bodies, no
 * limits, no timeouts. `bench/floor/http.ts` sets it against the bare `node:http` baseline to
 * show what node:http's layer costs per request. Prints `minimal listening on URL`.
 * Usage: `node --import tsx bench/floor/minimal-http-server.ts <answer bytes>`.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { answerOfSize } from '../baseline-server.js';

const body = answerOfSize(Number(process.argv[2] ?? 42));
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
let seq = 0;

/** Answers every complete request at the front of `buf`; returns what is left of it (a partial request). */
function answerComplete(socket: net.Socket, buf: Buffer): Buffer | undefined {
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return buf;
    const length = Number(CONTENT_LENGTH.exec(buf.toString('latin1', 0, end))?.[1] ?? 0);
    const next = end + 4 + length;
    if (buf.length < next) return buf;
    let status = '200 OK';
    try {
      JSON.parse(buf.toString('utf8', end + 4, next));
    } catch {
      status = '400 Bad Request';
    }
    socket.write(`HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: minimal-${(++seq).toString(36)}\r\nDate: ${new Date().toUTCString()}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=15\r\n\r\n${body}`);
    if (next === buf.length) return undefined;
    buf = buf.subarray(next);
  }
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    pending = answerComplete(socket, pending ? Buffer.concat([pending, chunk]) : chunk);
  });
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`minimal listening on http://127.0.0.1:${port}/api/v4/request\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
