import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDirectory } from './work-dir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('prepareDirectory', () => {
  it('makes the directory and those above it', () => {
    const root = mkdtempSync(join(tmpdir(), 'work-dir-'));
    dirs.push(root);
    expect(prepareDirectory(join(root, 'a', 'b'))).toBeUndefined();
    expect(statSync(join(root, 'a', 'b')).isDirectory()).toBe(true);
    expect(prepareDirectory(join(root, 'a', 'b'))).toBeUndefined(); // already there
  });

  it('says why a path cannot be one: a file on the way, or a place where nothing can be made (it returns for /proc, where recursive mkdirSync never did)', () => {
    const root = mkdtempSync(join(tmpdir(), 'work-dir-'));
    dirs.push(root);
    writeFileSync(join(root, 'file'), '');
    expect(prepareDirectory(join(root, 'file'))).toBe(`'${join(root, 'file')}' is not a directory`);
    expect(prepareDirectory(join(root, 'file', 'below'))).toBe(`'${join(root, 'file')}' is not a directory`);
    if (existsSync('/proc/self')) expect(prepareDirectory('/proc/ts-mesos-work-dir/x')).toMatch(/^cannot create '\/proc\/ts-mesos-work-dir' \(E[A-Z]+\)$/);
  });
});
