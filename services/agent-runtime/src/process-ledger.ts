import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One agent process group this instance started, as written down on disk. */
interface LedgerEntry {
  readonly runId: string;
  readonly pgid: number;
  /** Start time of the group leader (clock ticks since boot), to tell a reused pid apart. */
  readonly leaderStart: string;
}

/**
 * Agent process groups are detached (so cancel reaches the whole tree), so they
 * outlive an instance killed with SIGKILL. Each instance writes its running groups
 * under `<dir>/<pid>.<start>/`; an instance starting on the same host kills the
 * groups of instances that are gone, so an orphan never goes on working in a
 * worktree after its run has been timed out and retried. Linux only (`/proc`);
 * elsewhere nothing is recorded or reaped.
 */
export class ProcessLedger {
  private readonly own: string;

  constructor(private readonly dir: string) {
    this.own = join(dir, instanceKey(process.pid) ?? `${process.pid}.0`);
  }

  async record(runId: string, pgid: number): Promise<void> {
    const leaderStart = startTimeOf(pgid);
    if (leaderStart === undefined) return;
    await mkdir(this.own, { recursive: true });
    const entry: LedgerEntry = { runId, pgid, leaderStart };
    await writeFile(join(this.own, fileName(runId)), JSON.stringify(entry));
  }

  async forget(runId: string): Promise<void> {
    await rm(join(this.own, fileName(runId)), { force: true });
  }

  /** Kills the process groups left by instances that are no longer alive; returns their run ids. */
  async reapOrphans(): Promise<string[]> {
    const owners = await readdir(this.dir).catch(() => [] as string[]);
    const reaped: string[] = [];
    for (const owner of owners) {
      if (join(this.dir, owner) === this.own || ownerAlive(owner)) continue;
      const ownerDir = join(this.dir, owner);
      for (const file of await readdir(ownerDir).catch(() => [] as string[])) {
        const entry = await readEntry(join(ownerDir, file));
        if (entry && killGroup(entry)) reaped.push(entry.runId);
      }
      await rm(ownerDir, { recursive: true, force: true });
    }
    return reaped;
  }
}

function fileName(runId: string): string {
  return `${runId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
}

async function readEntry(path: string): Promise<LedgerEntry | undefined> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as Partial<LedgerEntry>;
    if (typeof raw.runId !== 'string' || typeof raw.pgid !== 'number' || typeof raw.leaderStart !== 'string') return undefined;
    return { runId: raw.runId, pgid: raw.pgid, leaderStart: raw.leaderStart };
  } catch {
    return undefined;
  }
}

/** Start time of a process (field 22 of /proc/<pid>/stat), or undefined when it does not exist. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function instanceKey(pid: number): string | undefined {
  const start = startTimeOf(pid);
  return start === undefined ? undefined : `${pid}.${start}`;
}

function ownerAlive(owner: string): boolean {
  const [pid] = owner.split('.');
  return pid !== undefined && /^\d+$/.test(pid) && instanceKey(Number(pid)) === owner;
}

function killGroup(entry: LedgerEntry): boolean {
  const leaderStart = startTimeOf(entry.pgid);
  // A live leader with another start time is a new process that reused the pid: not ours.
  if (leaderStart !== undefined && leaderStart !== entry.leaderStart) return false;
  try {
    // With the leader gone, the group id cannot have been reused while members of the group live.
    process.kill(-entry.pgid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
