// The web UI end to end: mesos-local (a real master and agent), a framework launching a task, and the UI in
// headless Chromium (Debian's, driven by playwright-core; tools/services installs it). Under
// CI=true a missing Chromium fails this file; elsewhere it is skipped with the reason.
// Screenshots of each page go to test-output/webui/.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commandTask } from '@ts-mesos/scheduler';
import { describeWithService } from '@ts-mesos/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';

const CHROMIUM = process.env['TS_MESOS_CHROMIUM'] ?? '/usr/bin/chromium';
const SHOTS = resolve(import.meta.dirname, '../../../test-output/webui');
const browserProbe = {
  name: 'Chromium',
  available: existsSync(CHROMIUM),
  reason: existsSync(CHROMIUM) ? `Chromium at ${CHROMIUM}` : `no Chromium at ${CHROMIUM} (tools/services installs Debian's chromium)`,
};

type Offer = { id: { value: string }; agent_id: { value: string } };

describeWithService(browserProbe, 'the web UI in a real browser', () => {
  let master: Daemon;
  let browser: Browser;
  let page: Page;
  let framework: TestFramework;

  beforeAll(async () => {
    const dir = tempDir('webui-');
    // The whole cluster as a user starts it: `mesos-local` (a master and one agent in one process).
    master = await startDaemon('mesos-local', { port: freePort(), work_dir: dir, resources: 'cpus:4;mem:4096;disk:10000', attributes: 'rack:r1' }, '/health');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => undefined);
    await framework?.scheduler.stop();
    await browser?.close();
    await master?.stop();
  }, 60_000);

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('shows the cluster live: the agent on the overview, a launched task appearing and finishing without a reload, and its stdout in the sandbox', async () => {
    await page.goto(`${master.url}/`);
    await page.waitForSelector('[data-connection="live"]');
    // Functions given to waitForFunction run in the page; as strings they need no DOM types here.
    await page.waitForFunction(`document.querySelector('[data-count="agents"] b')?.textContent === '1'`);
    expect(await page.textContent('[data-meter="CPUs"]')).toContain('of 4 cores');
    expect(await page.textContent('[data-meter="Memory"]')).toContain('4.0 GiB');
    await shot('overview');

    await page.click('nav a[href="#/agents"]');
    await page.waitForSelector('[data-agent]');
    await shot('agents');
    expect(await page.textContent('[data-agent]')).toContain('rack: r1');
    await page.click('[data-agent] a');
    await page.waitForSelector('h2:has-text("Agent ")');
    expect(await page.textContent('dl')).toContain('rack: r1');
    await shot('agent');

    // The tasks page is open before the task exists: it must appear through the event stream.
    await page.click('nav a[href="#/tasks"]');
    await page.waitForSelector('text=No tasks yet');
    framework = new TestFramework(master.address, { name: 'ui-test' }).start();
    const offers = await framework.offers();
    const offer = (offers.type === 'OFFERS' ? offers.offers!.offers[0] : undefined) as Offer;
    await framework.scheduler.launch([offer.id.value], [commandTask('ui-task', offer.agent_id, 1, 128, 'echo hello-from-the-sandbox; sleep 2', 'hello')]);
    await page.waitForSelector('[data-task="ui-task"] [data-state="TASK_RUNNING"]', { timeout: 15_000 });
    await shot('tasks-running');
    await page.waitForSelector('[data-task="ui-task"] [data-state="TASK_FINISHED"]', { timeout: 15_000 });
    await shot('tasks-finished');
    expect(page.url()).toContain('#/tasks');

    await page.click('[data-task="ui-task"] a');
    await page.waitForSelector('[data-tail="stdout"]');
    await page.waitForFunction(`document.querySelector('[data-tail="stdout"]')?.textContent?.includes('hello-from-the-sandbox') === true`, undefined, { timeout: 15_000 });
    expect(await page.textContent('[data-file="stderr"]')).toContain('stderr');
    await shot('sandbox');

    await page.click('nav a[href="#/frameworks"]');
    await page.waitForSelector('[data-framework]');
    expect(await page.textContent('[data-framework]')).toContain('ui-test');
    await shot('frameworks');

    await page.click('nav a[href="#/roles"]');
    await page.waitForSelector('[data-role="*"]');
    await shot('roles');

    // Filtering: FINISHED shows the task, RUNNING does not.
    await page.goto(`${master.url}/#/tasks?state=TASK_RUNNING`);
    await page.waitForSelector('text=No tasks match');
    await page.goto(`${master.url}/#/tasks?state=TASK_FINISHED`);
    await page.waitForSelector('[data-task="ui-task"]');
  });
});
