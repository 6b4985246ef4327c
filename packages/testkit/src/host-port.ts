export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port` (IPv6 hosts in brackets: `[::1]:2181`). */
export function parseHostPort(address: string): HostPort {
  const colon = address.lastIndexOf(':');
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  let host = address.slice(0, Math.max(colon, 0));
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || host === '' || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new Error(`Invalid address '${address}': expected 'host:port' with a port in 1-65535`);
  }
  return { host, port };
}

/** Splits a ZooKeeper connect string (`h1:p1,h2:p2`, optional `/chroot` suffix) into members. */
export function parseConnectString(connect: string): readonly string[] {
  const slash = connect.indexOf('/');
  const hosts = slash === -1 ? connect : connect.slice(0, slash);
  const members = hosts
    .split(',')
    .map((member) => member.trim())
    .filter((member) => member !== '');
  if (members.length === 0) throw new Error(`Invalid ZooKeeper connect string '${connect}': no members`);
  for (const member of members) parseHostPort(member);
  return members;
}
