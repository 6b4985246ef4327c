import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { Http, type HttpRequest, type HttpResponse } from '@ts-mesos/libprocess';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the web UI's build (`--webui_dir`): `index.html` for the page itself, and the files
 * under `assets/` (hashed names, so cached for a year). Paths are resolved inside the
 * directory; anything else is a 404.
 */
export function webuiHandler(dir: string): (request: HttpRequest) => Promise<HttpResponse> {
  const root = normalize(dir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return Http.methodNotAllowed(['GET', 'HEAD'], request.method);
    const page = request.path === '/' || request.path === '/master/' || request.path === '/index.html';
    const at = request.path.indexOf('/assets/');
    if (!page && at < 0) return Http.notFound(`No endpoint at '${request.path}'; see /help for the endpoints served here`);
    const relative = page ? 'index.html' : Http.decodeComponent(request.path.slice(at + 1));
    if (relative === undefined) return Http.badRequest(`Malformed percent-encoding in '${request.path}'`);
    const file = normalize(join(root, relative));
    if (!file.startsWith(root + sep)) return Http.notFound(`No such file: '${request.path}'`);
    try {
      const body = await readFile(file);
      return {
        status: 200,
        headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': page ? 'no-cache' : 'public, max-age=31536000, immutable' },
        body: request.method === 'HEAD' ? '' : body,
      };
    } catch {
      return page ? Http.notFound(`The web UI is not installed at '${root}' (--webui_dir)`) : Http.notFound(`No such file: '${request.path}'`);
    }
  };
}
