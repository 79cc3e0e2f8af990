// `cvc dag`: the real pipeline file laid out by ELK, in the terminal (box-drawing text) and as SVG;
// the workspace packages from their package.json files. Checked on the geometry, not on a copy of
// the picture: every stage and artifact drawn once, boxes apart, one arrowhead per edge.
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { loadPipeline } from '@cvc/core';
import { tempDir } from '@cvc/core/testing';
import { layoutGraph } from '@cvc/report/dag/layout';
import { pipelineGraph } from '@cvc/report/dag/pipeline-graph';
import { CELLS, textPicture } from './dag/text-picture.ts';
import { packagesGraph, transitiveReduction } from './dag/packages-graph.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cvc = join(repo, 'packages', 'cli', 'bin', 'cvc.mjs');
const pipeline = loadPipeline(join(repo, 'pipelines', 'clocks-vs-crocodiles.yaml'));

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('the pipeline graph', () => {
  const graph = pipelineGraph(pipeline, (s) => `status of ${s}`);

  it('has every stage, the artifacts one stage hands another, and the external inputs', () => {
    expect(graph.nodes.filter((n) => n.kind === 'stage').map((n) => n.id)).toEqual(pipeline.stages.map((s) => s.name));
    const carried = graph.nodes.filter((n) => n.kind === 'artifact').flatMap((n) => n.lines).sort();
    const read = [...new Set(pipeline.stages.flatMap((s) => s.deps))].sort();
    expect(carried).toEqual(read);
    expect(graph.nodes.filter((n) => n.kind === 'external').map((n) => n.id)).toEqual(['data-prep.dataDir', 'pretrain.cifar10', 'object-judge.cifar10', 'report.pipelineFile']);
    // Every dep of a stage reaches it through an artifact node.
    for (const stage of pipeline.stages) {
      const into = graph.edges.filter((e) => e.to === stage.name).flatMap((e) => graph.nodes.find((n) => n.id === e.from)!.lines);
      for (const dep of stage.deps) expect(into, stage.name).toContain(dep);
    }
  });

  it('lays out without overlapping boxes, edges from box to box', async () => {
    const layout = await layoutGraph(graph);
    for (const [i, a] of layout.nodes.entries()) for (const b of layout.nodes.slice(i + 1)) expect(overlap(a, b), `${a.id} / ${b.id}`).toBe(false);
    for (const e of layout.edges) {
      const from = layout.nodes.find((n) => n.id === e.from)!;
      const to = layout.nodes.find((n) => n.id === e.to)!;
      expect(e.points[0]!.y).toBeCloseTo(from.y + from.height, 3); // leaves the bottom of its source
      expect(e.points.at(-1)!.y).toBeCloseTo(to.y, 3); // enters the top of its target
      e.points.slice(1).forEach((p, k) => expect(p.x === e.points[k]!.x || p.y === e.points[k]!.y).toBe(true)); // orthogonal
    }
    // Data flows down: each stage below everything it reads.
    const y = (id: string) => layout.nodes.find((n) => n.id === id)!.y;
    for (const e of layout.edges) expect(y(e.to)).toBeGreaterThan(y(e.from));
  });

  it('draws in the terminal: each box once with its text, one arrowhead per edge', async () => {
    const text = textPicture(await layoutGraph(graph, CELLS));
    for (const stage of pipeline.stages) {
      expect(text.match(new RegExp(`┃ ${stage.name} +┃`, 'g')), stage.name).toHaveLength(1);
      expect(text).toContain(`┃ status of ${stage.name}`);
    }
    expect(text).toMatch(/│ classifier_models │/);
    expect((text.match(/▼/g) ?? []).length).toBe(graph.edges.length);
    expect(text.split('\n').every((l) => l.length <= 160)).toBe(true);
  });
});

describe('cvc dag', () => {
  it('prints the picture and writes an SVG of it', async () => {
    // The real pipeline file in a workspace where nothing has run yet (a status needs no hashing then).
    const root = tempDir('cvc-dag-');
    mkdirSync(join(root, 'pipelines'));
    copyFileSync(join(repo, 'pipelines', 'clocks-vs-crocodiles.yaml'), join(root, 'pipelines', 'clocks-vs-crocodiles.yaml'));
    const text = await execa('node', [cvc, 'dag'], { cwd: root });
    expect(text.stdout).toMatch(/┃ data-prep +┃\n +┃ never run +┃/);
    const file = join(root, 'dag.svg');
    await execa('node', [cvc, 'dag', '--svg', file], { cwd: root });
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/class="dag-node dag-stage"/g)).toHaveLength(pipeline.stages.length);
    expect(svg.match(/<path class="dag-edge"/g)!.length).toBe(pipelineGraph(pipeline).edges.length);
  });

  it('leaves out the arrows other arrows imply', () => {
    const deps = new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]);
    expect(transitiveReduction(deps)).toEqual([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }]);
  });

  it('draws the workspace packages from their package.json dependencies', async () => {
    const graph = packagesGraph(pipeline);
    expect(graph.nodes.find((n) => n.id === '@cvc/classifier')).toMatchObject({ kind: 'stage', lines: ['@cvc/classifier', 'stage · packages/classifier'] });
    expect(graph.nodes.find((n) => n.id === '@cvc/core')!.lines[1]).toBe('library · packages/core');
    expect(graph.edges).toContainEqual({ from: '@cvc/classifier', to: '@cvc/vision' });
    expect(graph.edges).toContainEqual({ from: '@cvc/core', to: '@cvc/compute' });
    // Implied arrows left out: the classifier uses core through vision.
    expect(graph.edges).not.toContainEqual({ from: '@cvc/classifier', to: '@cvc/core' });
    // Stage packages never depend on each other.
    const stages = new Set(graph.nodes.filter((n) => n.kind === 'stage').map((n) => n.id));
    expect(graph.edges.filter((e) => stages.has(e.from) && stages.has(e.to))).toEqual([]);
  });
});
