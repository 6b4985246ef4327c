import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeError, type ServiceProbe } from './service-probe.js';

const run = promisify(execFile);

/**
 * Network namespaces we can use for test hosts: `ip netns add` and a veth pair into the new
 * namespace both work (root and iproute2 are needed). The probe's namespace is removed again.
 */
export async function probeNetworkNamespaces(): Promise<ServiceProbe> {
  const name = 'network namespaces';
  const ns = `tsmp${process.pid}`; // with its veth names, within the 15 characters Linux allows
  const step = async (what: string, args: string[]): Promise<string | undefined> => {
    try {
      await run('ip', args, { timeout: 5000 });
      return undefined;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      return `'ip ${args.join(' ')}' (${what}) failed: ${stderr !== undefined && stderr !== '' ? stderr : describeError(error)} (needs root and iproute2)`;
    }
  };
  const failed = (await step('create a namespace', ['netns', 'add', ns])) ?? (await step('create a veth pair into it', ['link', 'add', `${ns}h`, 'type', 'veth', 'peer', 'name', `${ns}n`, 'netns', ns]));
  await step('remove the probe namespace', ['netns', 'del', ns]);
  return failed === undefined ? { name, available: true, reason: `'ip netns add' and veth pairs work (probed with ${ns})` } : { name, available: false, reason: failed };
}
