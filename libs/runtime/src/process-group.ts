import { readdirSync, readFileSync } from 'node:fs';

/**
 * Whether any process of the group is still running. On Linux, zombies are ignored:
 * a killed process whose new parent is slow to reap it is dead but still answers
 * signal 0. Elsewhere, signal 0 to the group is the only probe available.
 */
export function groupRunning(pgid: number): boolean {
  const viaProc = runningMembersFromProc(pgid);
  if (viaProc !== undefined) return viaProc;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningMembersFromProc(pgid: number): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** State letter and process group of a process, from /proc/<pid>/stat; undefined when unavailable. */
export function processStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}
