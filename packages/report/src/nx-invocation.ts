// When did the current `nx run …` start? Nx tells each task the pids of the nx processes it runs
// under (NX_INVOCATION_ANCESTOR_PIDS, outermost first); the outermost one is the pipeline run.
// Its start time comes from /proc (Linux): field 22 of /proc/<pid>/stat is the start in clock
// ticks after boot (USER_HZ = 100 on Linux), /proc/stat's btime is the boot time in seconds.
import { existsSync, readFileSync } from 'node:fs';

const USER_HZ = 100;

export interface NxInvocation {
  pid: number;
  /** ISO time the outermost nx process started, to the second; null when /proc cannot tell. */
  startedAt: string | null;
}

export function processStartTime(pid: number, proc = '/proc'): Date | null {
  const statFile = `${proc}/${pid}/stat`;
  if (!existsSync(statFile) || !existsSync(`${proc}/stat`)) return null;
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
  const stat = readFileSync(statFile, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]); // field 22 overall; fields[0] is field 3
  const btime = /^btime (\d+)$/m.exec(readFileSync(`${proc}/stat`, 'utf8'));
  if (!Number.isFinite(ticks) || !btime) return null;
  return new Date((Number(btime[1]) + Math.floor(ticks / USER_HZ)) * 1000);
}

export function nxInvocation(env: NodeJS.ProcessEnv = process.env, proc = '/proc'): NxInvocation | null {
  const outermost = Number((env.NX_INVOCATION_ANCESTOR_PIDS ?? '').split(',')[0]);
  if (!Number.isInteger(outermost) || outermost <= 0) return null;
  return { pid: outermost, startedAt: processStartTime(outermost, proc)?.toISOString() ?? null };
}
