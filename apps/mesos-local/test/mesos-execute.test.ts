import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, runApp, startDaemon, tempDir } from './daemon.js';

const execute = (args: string[], timeoutMs?: number) => runApp('mesos-execute', args, timeoutMs);

describe('mesos-execute against a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;

  beforeAll(async () => {
    const dir = tempDir('mesos-execute-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:2;mem:1024;disk:100' }, '/slave(1)/health');
  });

  afterAll(async () => {
    await agent?.stop();
    await master?.stop();
  });

  it("runs the command and exits with its outcome: 0 for TASK_FINISHED, 1 for TASK_FAILED, with the command's environment", async () => {
    const ok = await execute([`--master=${master.address}`, '--name=ok', '--command=test "$GREETING" = hello', '--resources=cpus:0.1;mem:32', '--env={"GREETING":"hello"}']);
    expect(ok.stdout).toContain("Received status update TASK_FINISHED for task 'ok'");
    expect(ok.code).toBe(0);
    const failed = await execute([`--master=${master.address}`, '--name=failed', '--command=exit 3', '--resources=cpus:0.1;mem:32']);
    expect(failed.stdout).toContain("Received status update TASK_FAILED for task 'failed'");
    expect(failed.code).toBe(1);
  });

  it('exits 1 with the reason when the master refuses the subscription, instead of retrying for ever', async () => {
    const refused = await execute([`--master=${master.address}`, '--command=true', '--role=a/../b']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the master refused to subscribe the framework: SUBSCRIBE answered 400');
  });

  it('refuses a --master or --env it cannot use, in one line', async () => {
    for (const [flag, message] of [
      ['--master=nohost', "Invalid --master: 'nohost' names no port: expected host:port"],
      ['--master=127.0.0.1:99999', 'Invalid --master'],
      ['--master=zk://', 'Invalid --master'],
      ['stray', "Unexpected argument 'stray': flags take the form --name=value"],
    ] as const) {
      const run = await execute([...(flag === 'stray' ? [`--master=${master.address}`] : []), flag, '--command=true'], 15_000);
      expect([flag, run.code, run.stderr.trim().split('\n')[0]]).toEqual([flag, 1, expect.stringContaining(message)]);
    }
    for (const env of ['{bad', '[1,2]', '{"A":1}']) {
      const run = await execute([`--master=${master.address}`, '--command=true', `--env=${env}`], 15_000);
      expect([env, run.code, run.stderr]).toEqual([env, 1, expect.stringContaining('Invalid --env')]);
    }
  });
});
