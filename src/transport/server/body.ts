/** Reading a request body with a size limit that stops early instead of buffering an attack. */
import type http from 'node:http';
import { OioiError } from '../../protocol/index.js';

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
