/**
 * A child process for the failover benchmark's baseline: it opens a ZooKeeper session with the
 * given timeout, creates an ephemeral znode, prints `ready`, and waits to be killed.
 * Usage: zk-member.ts SERVERS PATH SESSION_TIMEOUT_MS
 */
import { ZkSession } from '@ts-mesos/zk-election';

const [servers, path, timeout] = process.argv.slice(2);
const session = await ZkSession.connect(servers!, { sessionTimeoutMs: Number(timeout) });
await session.create(path!, Buffer.from('member'), 'ephemeral');
process.stdout.write('ready\n');
setInterval(() => undefined, 1 << 30);
