// Section "provenance": the pipeline file, seeds, each stage's effective params (from its lock),
// library versions — all deterministic — and a slot the page fills with the wall times of the
// last execution of each stage (artifacts/.runs, loaded at view time; see run-times.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deriveSeed, loadPipeline, stageParamsDigest } from '@cvc/core';
import { LOCK_FILE, type StageLock } from '@cvc/core/lock';
import { esc, table } from '../html.ts';
import { libraryVersions } from '../library-versions.ts';
import type { RenderedSection, SectionContext } from './section.ts';

function readLockOf(ctx: SectionContext, stage: string): StageLock | null {
  const file = ctx.resolvePath(join('artifacts', stage, LOCK_FILE));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StageLock) : null;
}

export async function provenanceSection(ctx: SectionContext, opts: { pipelineFile: string; reportStage: string }): Promise<RenderedSection> {
  const root = ctx.resolvePath('.');
  const pipeline = loadPipeline(opts.pipelineFile);
  const upstream = pipeline.stages.filter((s) => s.name !== opts.reportStage);
  const locks = new Map(upstream.map((s) => [s.name, readLockOf(ctx, s.name)]));
  const profiles = [...new Set([...locks.values()].map((l) => l?.profile ?? null))];
  const profile = profiles.length === 1 ? profiles[0] : null;
  const profileText = profiles.length > 1 ? `mixed (${profiles.map((p) => p ?? 'none').join(', ')})` : (profile ?? 'none (full run)');

  // The report's own lock is written after this page: its params come from the pipeline file under the same profile.
  const profiled = loadPipeline(opts.pipelineFile, profile ? { profile } : {});
  const stageRows = profiled.stages.map((s) => {
    const lock = locks.get(s.name);
    const params = lock ? lock.params : s.params;
    const digest = lock?.paramsDigest ?? (s.name === opts.reportStage ? stageParamsDigest(profiled, s) : 'no lock');
    return [
      `<b>${esc(s.name)}</b>`,
      String(deriveSeed(pipeline.seed, s.name)),
      `<code class="digest">${esc(digest)}</code>`,
      s.deps.length ? esc(s.deps.join(', ')) : '—',
      esc(s.outs.join(', ')),
      `<details><summary>params</summary><pre>${esc(JSON.stringify(params, null, 1))}</pre></details>`,
    ];
  });

  const libs = libraryVersions().map((l) => [esc(l.name), l.version ? esc(l.version) : '<i>not installed</i>']);
  libs.unshift(['node', esc(process.versions.node)]);

  const yamlText = readFileSync(opts.pipelineFile, 'utf8');
  const relFile = relative(root, opts.pipelineFile);
  const html = `
<p class="facts">Pipeline file <code>${esc(relFile)}</code>, global seed <b>${pipeline.seed}</b> (each stage derives its own seed from it and its name), profile <b>${esc(profileText)}</b>.
Params below are each stage's effective params as recorded in its lock (<code>artifacts/&lt;stage&gt;/${LOCK_FILE}</code>).</p>
${table(['stage', 'seed', 'params digest', 'reads', 'writes', ''], stageRows, { numeric: [1] })}
<details class="yaml"><summary>${esc(relFile)}</summary><pre>${esc(yamlText)}</pre></details>
<h3>Libraries</h3>
${table(['library', 'version'], libs)}
<h3>Last execution of each stage</h3>
<div id="run-times" class="run-times"><p class="note">No run times found beside this page (<code>artifacts/.runs/report-runs.js</code>). Run <code>npx cvc report</code> to write them.</p></div>
<p class="note">Wall times and backends are those of the <em>last execution</em> of each stage (from <code>artifacts/.runs/</code>, written by the runner), not part of this page's reproducible bytes: the page loads them from <code>artifacts/.runs/report-runs.js</code>, refreshed by every report build and by <code>npx cvc report</code>.
"This run" is the <code>nx</code> invocation that last built this report (the start of the outermost nx process): a stage whose last execution finished before it came from Nx's cache.</p>`;
  return { id: 'provenance', title: 'Provenance', summary: `seed ${pipeline.seed}, profile ${profileText}`, html };
}
