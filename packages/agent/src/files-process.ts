import { constants, createReadStream, type Stats } from 'node:fs';
import { type FileHandle, open, readdir, realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Http, type HttpRequest, type HttpResponse, Process } from '@ts-mesos/libprocess';

/** The largest `length` `/files/read` answers with (Mesos pages through bigger files). */
export const MAX_READ_BYTES = 1024 * 1024;

type Resolved = { ok: true; path: string; stats: Stats } | { ok: false; response: HttpResponse };

function modeString(stats: Stats): string {
  const type = stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let mode = '';
  for (let i = 0; i < 9; i++) mode += stats.mode & (1 << (8 - i)) ? bits[i] : '-';
  return type + mode;
}

/** A file as `/files/browse` lists it (Mesos's `FileInfo` JSON). */
function fileModel(virtualPath: string, stats: Stats): Record<string, unknown> {
  return { path: virtualPath, nlink: stats.nlink, size: stats.size, mtime: Math.floor(stats.mtimeMs / 1000), mode: modeString(stats), uid: String(stats.uid), gid: String(stats.gid) };
}

function anyOrigin(response: HttpResponse): HttpResponse {
  return { ...response, headers: { ...response.headers, 'access-control-allow-origin': '*' } };
}

/**
 * The `files` process: `/files/browse`, `/files/read`, `/files/download` and `/files/debug`
 * over directories the agent attaches (task sandboxes) under virtual paths. Requests reach
 * only what is attached: `..` segments, symlinks that lead out of an attached directory, and
 * paths under nothing attached are refused (403 or 404), never served.
 */
export class FilesProcess extends Process {
  /** Virtual path -> real directory. */
  private readonly attached = new Map<string, string>();

  constructor() {
    super('files');
    // Readable from any origin: the master's web UI (another host:port) shows sandboxes from here.
    this.route('/browse', 'Lists a directory. Query: path (a virtual path under an attached directory).', async (r) => anyOrigin(await this.browse(r)));
    this.route('/read', 'Reads part of a file as JSON {data, offset}. Query: path, offset (-1: just report the size), length.', async (r) => anyOrigin(await this.read(r)));
    this.route('/download', 'Downloads a file. Query: path.', async (r) => anyOrigin(await this.download(r)));
    this.route('/debug', 'The attached virtual paths and the directories they show.', () => Http.json(Object.fromEntries(this.attached)));
  }

  /** Shows `directory` under `virtualPath` (both absolute). */
  attach(directory: string, virtualPath: string): void {
    this.attached.set(posix.normalize(virtualPath).replace(/\/+$/, '') || '/', directory);
  }

  detach(virtualPath: string): void {
    this.attached.delete(posix.normalize(virtualPath).replace(/\/+$/, '') || '/');
  }

  /** Maps a virtual path to a real one confined to its attached directory. */
  private async resolve(request: HttpRequest): Promise<Resolved> {
    const raw = request.query.get('path');
    if (raw === null || raw === '') return { ok: false, response: Http.badRequest("Expecting 'path' in the query") };
    if (raw.includes('\0')) return { ok: false, response: Http.badRequest("Invalid 'path'") };
    if (!raw.startsWith('/')) return { ok: false, response: Http.badRequest(`'path' must be absolute, got '${raw}'`) };
    if (raw.split('/').includes('..')) return { ok: false, response: Http.forbidden(`'..' is not allowed in '${raw}'`) };
    const path = posix.normalize(raw).replace(/\/+$/, '') || '/';
    let root: string | undefined;
    let base = '';
    for (const [virtual, directory] of this.attached) {
      if ((path === virtual || path.startsWith(virtual === '/' ? '/' : `${virtual}/`)) && virtual.length >= base.length) {
        base = virtual;
        root = directory;
      }
    }
    if (root === undefined) return { ok: false, response: Http.notFound(`No such file or directory '${raw}'`) };
    const rest = path.slice(base.length);
    let real: string;
    let realRoot: string;
    try {
      realRoot = await realpath(root);
      real = await realpath(posix.join(root, rest));
    } catch {
      return { ok: false, response: Http.notFound(`No such file or directory '${raw}'`) };
    }
    if (real !== realRoot && !real.startsWith(`${realRoot}/`)) return { ok: false, response: Http.forbidden(`'${raw}' leads outside its sandbox`) };
    try {
      return { ok: true, path: real, stats: await stat(real) };
    } catch {
      return { ok: false, response: Http.notFound(`No such file or directory '${raw}'`) };
    }
  }

  private async browse(request: HttpRequest): Promise<HttpResponse> {
    const resolved = await this.resolve(request);
    if (!resolved.ok) return resolved.response;
    const virtual = posix.normalize(request.query.get('path')!).replace(/\/+$/, '') || '/';
    if (!resolved.stats.isDirectory()) return Http.json([fileModel(virtual, resolved.stats)]);
    const entries: Record<string, unknown>[] = [];
    for (const name of (await readdir(resolved.path)).sort()) {
      try {
        entries.push(fileModel(posix.join(virtual, name), await stat(posix.join(resolved.path, name))));
      } catch {
        // Gone meanwhile, or a dangling link: not listed.
      }
    }
    return Http.json(entries);
  }

  private async read(request: HttpRequest): Promise<HttpResponse> {
    const offsetText = request.query.get('offset') ?? '0';
    const lengthText = request.query.get('length');
    const offset = Number(offsetText);
    if (!Number.isInteger(offset) || offset < -1) return Http.badRequest(`Invalid 'offset': expected an integer >= -1, got '${offsetText}'`);
    const length = lengthText === null ? MAX_READ_BYTES : Number(lengthText);
    if (!Number.isInteger(length) || length < 0) return Http.badRequest(`Invalid 'length': expected a non-negative integer, got '${lengthText}'`);
    const resolved = await this.resolve(request);
    if (!resolved.ok) return resolved.response;
    const opened = await openRegular(resolved, request.query.get('path')!);
    if (!opened.ok) return opened.response;
    const handle = opened.handle;
    try {
      const size = opened.size;
      if (offset === -1) return Http.json({ data: '', offset: size });
      const start = Math.min(offset, size);
      const count = Math.min(length, MAX_READ_BYTES, size - start);
      const buffer = Buffer.alloc(count);
      const { bytesRead } = await handle.read(buffer, 0, count, start);
      return Http.json({ data: buffer.subarray(0, bytesRead).toString('utf8'), offset: start });
    } finally {
      await handle.close();
    }
  }

  private async download(request: HttpRequest): Promise<HttpResponse> {
    const resolved = await this.resolve(request);
    if (!resolved.ok) return resolved.response;
    const opened = await openRegular(resolved, request.query.get('path')!);
    if (!opened.ok) return opened.response;
    const name = posix.basename(resolved.path).replace(/"/g, '');
    if (opened.size === 0) await opened.handle.close();
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"` },
      body: opened.size === 0 ? '' : createReadStream('', { fd: opened.handle, start: 0, end: opened.size - 1 }),
    };
  }
}

/**
 * Opens a regular file to read. Anything else is refused: a directory, and a FIFO or device,
 * whose open or read would wait for a writer that may never come, holding one of the few
 * threads every file operation of this process shares (a FIFO in a sandbox had stalled every
 * later `/files` request). The open does not wait (O_NONBLOCK), and the check is made on what
 * was opened, so a file replaced after `resolve` looked at it is checked too.
 */
async function openRegular(resolved: { path: string; stats: Stats }, shown: string): Promise<{ ok: true; handle: FileHandle; size: number } | { ok: false; response: HttpResponse }> {
  if (resolved.stats.isDirectory()) return { ok: false, response: Http.badRequest(`'${shown}' is a directory`) };
  if (!resolved.stats.isFile()) return { ok: false, response: Http.badRequest(`'${shown}' is not a regular file`) };
  const handle = await open(resolved.path, constants.O_RDONLY | constants.O_NONBLOCK);
  const stats = await handle.stat().catch(() => undefined);
  if (stats?.isFile() !== true) {
    await handle.close();
    return { ok: false, response: Http.badRequest(`'${shown}' is not a regular file`) };
  }
  return { ok: true, handle, size: stats.size };
}
