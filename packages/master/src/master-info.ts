import type { MasterInfo } from '@ts-mesos/protocol';

/**
 * Mesos writes MasterInfo.ip as the IPv4 address's four bytes in network order read as one
 * little-endian uint32: 127.0.0.1 is 16777343. Clients decode it the same way.
 */
export function ipToMesosInteger(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 0;
  return (parts[0]! | (parts[1]! << 8) | (parts[2]! << 16) | (parts[3]! << 24)) >>> 0;
}

export function masterInfo(id: string, ip: string, port: number, hostname: string, version: string): MasterInfo {
  return {
    id,
    ip: ipToMesosInteger(ip),
    port,
    pid: `master@${ip}:${port}`,
    hostname,
    version,
    address: { hostname, ip, port },
    capabilities: [{ type: 'AGENT_UPDATE' }],
  };
}
