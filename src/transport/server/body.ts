/** Reading a request body with a size limit that stops early instead of buffering an attack. */
import type http from 'node:http';
import { OioiError } from '../../protocol/index.js';

/**
 * What is still read of a too-large body after its 413, and for how long (drainBody). Closing a
 * connection while the sender is still writing makes the kernel reset it, and the sender then
 * sees ECONNRESET or EPIPE instead of the 413; the usual mistake, a body somewhat over the limit,
 * is read to its end instead, the connection stays usable, and an attacker costs at most this.
 */
export const DRAIN = { bytes: 4 * 1024 * 1024, ms: 5000 };

/**
 * Whether the rest of a too-large body is worth reading after the 413: not when it declares a
 * length beyond the drain's bound. Example: `if (!drainable(req, limit)) req.pause()`.
 */
export function drainable(req: http.IncomingMessage, limit: number): boolean {
  const cl = req.headers['content-length'];
  return cl === undefined || Number(cl) <= limit + DRAIN.bytes;
}

/**
 * Reads and drops the rest of a body, up to DRAIN: true when it ended, false when it was cut
 * short (too long, too slow, or the connection went). Never rejects.
 * Example: `if (!(await drainBody(req))) req.socket.destroy()`.
 */
export function drainBody(req: http.IncomingMessage): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN.bytes) done(false);
    };
    const onEnd = () => done(true);
    const onCut = () => done(false);
    const done = (ended: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onCut);
      req.off('close', onCut);
      resolve(ended);
    };
    const timer = setTimeout(onCut, DRAIN.ms);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onCut);
    req.on('close', onCut);
  });
}

/**
 * After a 413 already sent: drains the rest of the body (drainBody) and cuts the connection when
 * the rest was longer or slower than DRAIN allows. Example: `lingerAfterTooLarge(req)`.
 */
export function lingerAfterTooLarge(req: http.IncomingMessage): void {
  void drainBody(req).then((ended) => {
    if (!ended) req.socket?.destroy();
  });
}

function tooLarge(limit: number): OioiError {
  return new OioiError(230, `body larger than the limit of ${limit} bytes`, { httpStatus: 413 });
}

/**
 * Whether the declared Content-Length already exceeds the limit (checked before reading).
 * Example: `declaredTooLarge(req, 1 << 20)`.
 */
export function declaredTooLarge(req: http.IncomingMessage, limit: number): boolean {
  const cl = req.headers['content-length'];
  return cl !== undefined && Number(cl) > limit;
}

/**
 * Reads the whole body into one Buffer; rejects with 413/230 as soon as it passes `limit`.
 * Example: `const buf = await readBody(req, 1 << 20)`.
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  if (declaredTooLarge(req, limit)) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    // Most bodies arrive in one chunk: keep it and concat only when there are several.
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
