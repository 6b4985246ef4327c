import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const APP = resolve(import.meta.dirname, '..');

// The master serves the committed dist/ (no build step at install): it must be the build of
// these sources. Asset names carry a content hash, so a stale build shows up as other names.
it('the committed dist/ is the build of the current sources (run `npm run build -w @ts-mesos/webui` after changing them)', () => {
  const out = mkdtempSync(join(tmpdir(), 'webui-build-'));
  try {
    execFileSync(process.execPath, [join(APP, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { cwd: APP, stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } });
    expect(readdirSync(join(APP, 'dist/assets')).sort()).toEqual(readdirSync(join(out, 'assets')).sort());
    expect(readFileSync(join(APP, 'dist/index.html'), 'utf8')).toBe(readFileSync(join(out, 'index.html'), 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
