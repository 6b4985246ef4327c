import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeZooKeeper, probeZooKeeperEnsemble } from './zookeeper-probe.js';

// Stand-ins for ZooKeeper servers on loopback: they answer four-letter words the way a
// server in the given mode does, so the probes' reasoning is tested without a JVM.
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function fakeServer(answers: Partial<Record<string, string>>): Promise<string> {
  const server = createServer((socket) => socket.once('data', (word) => socket.end(answers[word.toString()] ?? '')));
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const member = (mode: string): Promise<string> => fakeServer({ ruok: 'imok', srvr: `Zookeeper version: 3.8.0\nMode: ${mode}\n` });

async function closedPort(): Promise<string> {
  const address = await fakeServer({});
  const server = servers.pop()!;
  await new Promise((resolve) => server.close(resolve));
  return address;
}

describe('probeZooKeeper', () => {
  it('is available when the server answers imok, and reports its mode', async () => {
    const address = await member('standalone');
    const probe = await probeZooKeeper(address);
    expect(probe).toMatchObject({ name: 'ZooKeeper', available: true, connect: address, members: [{ address, mode: 'standalone' }] });
    expect(probe.reason).toBe(`ZooKeeper answers at ${address} (standalone)`);
  });

  it('says who refused the connection and how long it waited', async () => {
    const address = await closedPort();
    const probe = await probeZooKeeper(address, { timeoutMs: 2000 });
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe(`ZooKeeper at ${address} did not answer ruok within 2000 ms: ECONNREFUSED`);
  });

  it('names the whitelist when ruok is refused', async () => {
    const address = await fakeServer({ ruok: 'ruok is not executed because it is not in the whitelist.\n' });
    const probe = await probeZooKeeper(address);
    expect(probe.reason).toBe(
      `ZooKeeper at ${address} answered ruok with 'ruok is not executed because it is not in the whitelist.' instead of 'imok'` +
        ` (add ruok to 4lw.commands.whitelist, as tools/services --zk-ensemble does)`,
    );
  });

  it('falls back to mntr for the mode', async () => {
    const address = await fakeServer({ ruok: 'imok', mntr: 'zk_server_state\tfollower\n' });
    expect((await probeZooKeeper(address)).members).toEqual([{ address, mode: 'follower' }]);
  });

  it('reports a malformed connect string', async () => {
    expect(await probeZooKeeper('localhost')).toMatchObject({ available: false, reason: "Invalid address 'localhost': expected 'host:port' with a port in 1-65535" });
  });
});

describe('probeZooKeeperEnsemble', () => {
  it('is available with every member answering and exactly one leader', async () => {
    const connect = (await Promise.all([member('follower'), member('leader'), member('follower')])).join(',');
    const probe = await probeZooKeeperEnsemble(connect);
    expect(probe.available).toBe(true);
    expect(probe.members.map((m) => m.mode)).toEqual(['follower', 'leader', 'follower']);
  });

  it('is unavailable without a single leader, listing the modes', async () => {
    const addresses = await Promise.all([member('follower'), member('leader'), member('leader')]);
    const connect = addresses.join(',');
    const probe = await probeZooKeeperEnsemble(connect);
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe(
      `ZooKeeper ensemble at ${connect} has 2 leaders, expected exactly 1 (modes: ${addresses[0]}=follower, ${addresses[1]}=leader, ${addresses[2]}=leader)`,
    );
  });

  it('is unavailable when one member does not answer, naming it', async () => {
    const [a, b, down] = await Promise.all([member('leader'), member('follower'), closedPort()]);
    const probe = await probeZooKeeperEnsemble(`${a},${b},${down}`);
    expect(probe.available).toBe(false);
    expect(probe.reason).toBe(`ZooKeeper at ${down} did not answer ruok within 2000 ms: ECONNREFUSED`);
  });
});
