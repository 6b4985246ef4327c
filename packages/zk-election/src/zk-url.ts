/** A parsed `zk://[user:password@]host:port[,host:port...]/path` (Mesos's `--zk` and `--master=zk://`). */
export interface ZkUrl {
  /** `host:port,host:port`, as the ZooKeeper client takes it. */
  readonly servers: string;
  /** The znode under which masters contend, e.g. `/mesos`. */
  readonly path: string;
  /** `user:password` for ZooKeeper's `digest` scheme, when the URL carries one. */
  readonly digest?: string;
}

export type ZkUrlResult = { readonly ok: true; readonly value: ZkUrl } | { readonly ok: false; readonly error: string };

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

export function isZkUrl(text: string): boolean {
  return text.startsWith('zk://');
}

export function parseZkUrl(text: string): ZkUrlResult {
  if (!isZkUrl(text)) return { ok: false, error: `'${text}' is not a zk:// URL (zk://host:port[,host:port...]/path)` };
  let rest = text.slice('zk://'.length);
  let digest: string | undefined;
  const at = rest.lastIndexOf('@', rest.indexOf('/') < 0 ? rest.length : rest.indexOf('/'));
  if (at >= 0) {
    digest = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!digest.includes(':')) return { ok: false, error: `The credentials in '${text}' must be user:password` };
  }
  const slash = rest.indexOf('/');
  if (slash < 0) return { ok: false, error: `'${text}' names no znode path (zk://host:port/mesos)` };
  const servers = rest.slice(0, slash);
  const path = rest.slice(slash).replace(/\/+$/, '');
  if (path === '') return { ok: false, error: `'${text}' names no znode path below '/' (zk://host:port/mesos)` };
  if (path.includes('//')) return { ok: false, error: `The znode path in '${text}' has an empty component` };
  const hosts = servers.split(',');
  for (const host of hosts) {
    if (!HOST_PORT.test(host)) return { ok: false, error: `'${host}' in '${text}' is not host:port` };
    const port = Number(host.slice(host.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) return { ok: false, error: `'${host}' in '${text}' has no valid port` };
  }
  return { ok: true, value: { servers, path, ...(digest === undefined ? {} : { digest }) } };
}
