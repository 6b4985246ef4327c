export interface ContainerOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Splits the log stream of a container created without a TTY into stdout and stderr. The
 * engine multiplexes it as frames: an 8-byte header (stream 0 stdin, 1 stdout, 2 stderr; three
 * zero bytes; the payload length as a big-endian uint32) followed by the payload. See the
 * Docker Engine API, "Attach to a container", section "Stream format".
 */
export function demuxDockerLogs(raw: Buffer): ContainerOutput {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    if (at + 8 > raw.length) throw new Error(`Truncated Docker log frame header at byte ${at} of ${raw.length}`);
    const stream = raw.readUInt8(at);
    const length = raw.readUInt32BE(at + 4);
    if (stream > 2 || at + 8 + length > raw.length) {
      throw new Error(`Invalid Docker log frame at byte ${at}: stream ${stream}, length ${length}, ${raw.length - at - 8} bytes left`);
    }
    (stream === 2 ? stderr : stdout).push(raw.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
}
