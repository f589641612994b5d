import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { processStat } from './process-group.js';
import { spawnTree } from './spawn-tree.js';

/** Running, not merely a zombie waiting for its new parent to reap it. */
function isAlive(pid: number): boolean {
  const stat = processStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

describe('spawnTree', () => {
  it('streams stdout and stderr line by line and reports the exit code', async () => {
    const out: string[] = [];
    const errs: string[] = [];
    const tree = spawnTree('/bin/sh', ['-c', 'echo one; echo two >&2; printf "no newline"; exit 3'], {
      cwd: tmpdir(),
      onStdout: (l) => out.push(l),
      onStderr: (l) => errs.push(l),
    });
    expect(await tree.exited).toEqual({ code: 3, signal: null, timedOut: false });
    expect(out).toEqual(['one', 'no newline']);
    expect(errs).toEqual(['two']);
  });

  it('hands the child its stdin and closes it, so a prompt can be read to the end', async () => {
    const out: string[] = [];
    const prompt = 'line one\nline "two" with $HOME and `backticks`\n';
    const tree = spawnTree('/bin/sh', ['-c', 'cat; echo done'], { cwd: tmpdir(), stdin: prompt, onStdout: (l) => out.push(l) });
    expect((await tree.exited).code).toBe(0);
    expect(out).toEqual(['line one', 'line "two" with $HOME and `backticks`', 'done']);
  });

  it('does not fail when the child exits without reading its stdin', async () => {
    const tree = spawnTree('/bin/sh', ['-c', 'exit 0'], { cwd: tmpdir(), stdin: 'x'.repeat(1 << 20) });
    expect((await tree.exited).code).toBe(0);
  });

  it('kills the whole process tree, grandchildren included, within 2 seconds', async () => {
    const pids: number[] = [];
    // The child prints its own pid and the pid of a backgrounded grandchild.
    const tree = spawnTree('/bin/sh', ['-c', 'sleep 300 & echo $! ; echo $$ ; sleep 300'], {
      cwd: tmpdir(),
      onStdout: (l) => pids.push(Number(l)),
    });
    await expect.poll(() => pids.length, { timeout: 5_000 }).toBe(2);
    expect(pids.every(isAlive)).toBe(true);

    const started = Date.now();
    await tree.kill();
    const exit = await tree.exited;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(exit.signal).toBe('SIGTERM');
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('escalates to SIGKILL when the tree ignores SIGTERM', async () => {
    const pids: number[] = [];
    const tree = spawnTree('/bin/sh', ['-c', "trap '' TERM; sh -c \"trap '' TERM; sleep 300\" & echo $!; while :; do sleep 1; done"], {
      cwd: tmpdir(),
      killGraceMs: 300,
      onStdout: (l) => pids.push(Number(l)),
    });
    await expect.poll(() => pids.length, { timeout: 5_000 }).toBe(1);
    const started = Date.now();
    await tree.kill();
    expect((await tree.exited).signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(isAlive(pids[0] ?? 0)).toBe(false);
  });

  it('kills the tree when its timeout passes', async () => {
    const tree = spawnTree('/bin/sh', ['-c', 'sleep 300'], { cwd: tmpdir(), timeoutMs: 200 });
    const exit = await tree.exited;
    expect(exit.timedOut).toBe(true);
    expect(exit.code).toBeNull();
  });

  it('does not wait forever for output held open by a surviving background process', async () => {
    const tree = spawnTree('/bin/sh', ['-c', 'sleep 300 & echo started'], { cwd: tmpdir(), drainMs: 200 });
    const started = Date.now();
    expect((await tree.exited).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    await tree.kill();
  });
});
