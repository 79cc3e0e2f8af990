// Which profile a run uses: `CVC_PROFILE`, or the `-c/--configuration` of the `nx` command that
// started it (`npx nx run pipeline:all -c smoke`). Profiles are deliberately not Nx
// configurations: Nx folds every configuration of a target into each of its task hashes, so
// adding a profile would rerun the whole default pipeline, and Nx silently ignores an unknown
// `-c`. Reading the flag here keeps `-c smoke` working and makes `-c smok` an error.
import { existsSync, readFileSync } from 'node:fs';

export const PROFILE_ENV = 'CVC_PROFILE';

/** The value of `-c`/`--configuration` in an argv, if any. */
export function configurationFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = /^(?:-c|--configuration)=(.*)$/.exec(arg);
    if (eq) return eq[1];
    if (arg === '-c' || arg === '--configuration') return argv[i + 1];
  }
  return undefined;
}

const isNxCommand = (argv: string[]): boolean => argv.some((a, i) => i < 3 && /(^|\/)nx(\.js)?$|\/nx\/bin\/nx\.js$|\/nx\/dist\/bin\/nx\.js$/.test(a));

/** Argv of the nearest `nx` process among this process's ancestors (Linux /proc; undefined elsewhere). */
export function nxAncestorArgv(proc = '/proc', start = process.ppid): string[] | undefined {
  let pid = start;
  for (let depth = 0; depth < 12 && pid > 1; depth++) {
    const cmdline = `${proc}/${pid}/cmdline`;
    if (!existsSync(cmdline)) return undefined;
    const argv = readFileSync(cmdline, 'utf8').split('\0').filter((a) => a !== '');
    if (isNxCommand(argv)) return argv;
    const stat = readFileSync(`${proc}/${pid}/stat`, 'utf8');
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); // field 4: the parent pid
  }
  return undefined;
}

/** The profile to run with (undefined: the pipeline as written); errors if env and nx flag disagree. */
export function chosenProfile(env: NodeJS.ProcessEnv = process.env, nxArgv: string[] | undefined = nxAncestorArgv()): string | undefined {
  const fromEnv = env[PROFILE_ENV] || undefined;
  const fromNx = nxArgv ? configurationFlag(nxArgv) : undefined;
  if (fromEnv && fromNx && fromEnv !== fromNx) throw new Error(`${PROFILE_ENV}=${fromEnv} and nx -c ${fromNx} name different profiles`);
  return fromEnv ?? fromNx;
}
