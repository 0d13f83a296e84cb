/**
 * The dashboard's front end: files Vite built into dist/dashboard/, with their content types,
 * `index.html` for any other path under /dashboard/ (the front end routes in the browser), and a
 * 503 page saying what to do when the front end was not built.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type http from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/dashboard/ of this package: three folders up from src/hub/dashboard or dist/hub/dashboard. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** The content type of a file name. Example: `contentType('app.js') === 'text/javascript; charset=utf-8'`. */
export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>oioi dashboard not built</title></head>
<body><h1>The dashboard's front end is not built</h1><p>The hub found no <code>dist/dashboard/</code>. Run <code>npm run build</code> in the oioi package, then reload this page. The JSON API under <code>/dashboard/api/</code> works without it.</p></body></html>`;

/**
 * Serves one static request (GET/HEAD) below `/dashboard/`. `rest` is the path after it, still
 * URL-encoded. Example: `serveStatic(dir, 'assets/app.js', req, res)`.
 */
export function serveStatic(root: string, rest: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('method not allowed\n');
    return;
  }
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '60' });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
    return;
  }
  let file = index;
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    decoded = undefined;
  }
  if (decoded && !decoded.includes('\0')) {
    const candidate = normalize(join(root, decoded));
    // Only files inside the root: `..` or an absolute path fall back to index.html.
    if (candidate.startsWith(root.endsWith(sep) ? root : root + sep)) {
      try {
        if (statSync(candidate).isFile()) file = candidate;
      } catch {
        // not there: the front end's own route, answered with index.html
      }
    }
  }
  const stat = statSync(file);
  // Vite puts content-hashed names under assets/: those never change; index.html always may.
  const immutable = file !== index && rest.startsWith('assets/');
  res.writeHead(200, {
    'content-type': contentType(file),
    'content-length': stat.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
