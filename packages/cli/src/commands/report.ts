// `cvc report [--open]`: refresh the run times beside the report page and print its path;
// with --open, open it in the desktop's browser when there is a desktop.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { prepareReportView } from '@cvc/report/view';

function opener(): { command: string; args: string[] } | null {
  if (process.platform === 'darwin') return { command: 'open', args: [] };
  if (process.platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { command: 'xdg-open', args: [] };
  return null;
}

export async function reportCommand(opts: { pipeline: string; open?: boolean }): Promise<void> {
  const { page, info } = prepareReportView(opts.pipeline);
  const ran = info.stages.filter((s) => s.status === 'ran').map((s) => s.stage);
  const later = info.stages.filter((s) => s.status === 'later').map((s) => s.stage);
  process.stderr.write(`run times refreshed (${ran.length ? `ran in the run that built the page: ${ran.join(', ')}` : 'no stage ran in the run that built the page'})\n`);
  if (later.length) process.stderr.write(`note: ${later.join(', ')} ran after the page was built; \`npx nx run report:stage\` rebuilds it\n`);
  process.stdout.write(`${page}\n`);
  if (!opts.open) return;
  const how = opener();
  if (!how) {
    process.stderr.write(`no desktop here (DISPLAY is not set): open ${pathToFileURL(page).href} in a browser\n`);
    return;
  }
  const child = spawn(how.command, [...how.args, page], { detached: true, stdio: 'ignore' });
  child.on('error', (err) => process.stderr.write(`could not start ${how.command}: ${err.message}; open ${page} in a browser\n`));
  child.unref();
}
