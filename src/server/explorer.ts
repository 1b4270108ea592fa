import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import sirv from 'sirv';

/** Where the explorer page is built to (npm ci builds it: see build:web in package.json). */
export const EXPLORER_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves the explorer page at / and its files under /assets/, in front of
 * everything else the server answers. Its asset names carry a hash of their
 * content, so they are cached for good; the page itself is revalidated.
 */
export function withExplorer(next: Listener, logger: Logger, dir = EXPLORER_DIR): Listener {
  if (!existsSync(`${dir}/index.html`)) {
    logger.warn({ dir }, 'explorer page not built (npm run build:web): / answers 503');
    return (req, res) => {
      if (!isExplorerPath(req)) return next(req, res);
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The explorer page is not built: run npm run build:web.\n');
    };
  }
  const files = sirv(dir, {
    etag: true,
    setHeaders: (res, path) => {
      const immutable = path.startsWith('/assets/');
      res.setHeader(
        'cache-control',
        immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return (req, res) => {
    if (!isExplorerPath(req)) return next(req, res);
    files(req, res, () => next(req, res));
  };
}

function isExplorerPath(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0]!;
  return path === '/' || path === '/index.html' || path.startsWith('/assets/');
}
