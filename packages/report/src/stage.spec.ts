// The report stage on a fixture run (real data-prep on tiny class folders, then report):
// what the page holds, that it is reproducible, that absent sections stay absent, bad params.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hashTree } from '@cvc/core';
import { runStage } from '@cvc/core/runner';
import { fixtureRun, writeFixturePipeline, type FixtureRun } from '../testing/fixture-run.ts';

const quiet = () => {};
const cvc = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'bin', 'cvc.mjs');

describe('report stage', () => {
  let run: FixtureRun;
  let page: string;

  beforeAll(async () => {
    run = await fixtureRun();
    page = readFileSync(run.page, 'utf8');
  }, 60_000);

  it('writes one self-contained page with the dataset and provenance sections', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect([...page.matchAll(/<section id="([a-z-]+)">/g)].map((m) => m[1])).toEqual(['dataset', 'provenance']);
    // Six seeded training samples per class, inlined, shown pixelated.
    expect(page.match(/<img class="px" src="data:image\/png;base64,/g)).toHaveLength(12);
    // The counts table: 10 images per class, split 6 / 2 / 2.
    expect(page).toContain('<td>clock</td><td class="num">10</td><td class="num">6</td><td class="num">2</td><td class="num">2</td>');
    // The split chart is an SVG rendered by Vega, inlined.
    const svg = /<img src="data:image\/svg\+xml;base64,([^"]+)" alt="split sizes per class">/.exec(page);
    expect(Buffer.from(svg![1]!, 'base64').toString('utf8')).toMatch(/^<svg[^>]*class="marks"/);
    // Nothing is loaded from elsewhere except the run-times script beside the artifacts.
    expect([...page.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'))).toEqual(['../.runs/report-runs.js']);
  });

  it('escapes text from the pipeline file and params', () => {
    expect(page).toContain('<title>Fixture &lt;run&gt; &amp; co</title>');
    expect(page).toContain('# fixture pipeline for the report tests');
    expect(page).toContain('global seed <b>7</b>');
    expect(page).not.toContain('<run>');
  });

  it('keeps run times out of the artifact, in artifacts/.runs/report-runs.js', () => {
    expect(page).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    const script = readFileSync(join(run.root, 'artifacts', '.runs', 'report-runs.js'), 'utf8');
    const info = JSON.parse(script.slice(script.indexOf('cvcShowRuns(') + 12, script.lastIndexOf(')')));
    expect(info.stages.map((s: { stage: string; status: string }) => [s.stage, s.status])).toEqual([['data-prep', 'not-run'], ['report', 'building']]);
    expect(info.run.kind).toBe('direct');
  });

  it('`cvc report` prints the page path and refreshes the run times beside it', async () => {
    const runTimes = join(run.root, 'artifacts', '.runs', 'report-runs.js');
    const ok = spawnSync(process.execPath, [cvc, 'report', '--pipeline', run.pipelineFile], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`${run.page}\n`);
    const script = readFileSync(runTimes, 'utf8');
    expect(script).toContain('// Written by cvc report;');
    expect(script).toContain('"stage": "report"');
    // Without a built page it says how to build one.
    rmSync(join(run.root, 'artifacts', 'report'), { recursive: true });
    const missing = spawnSync(process.execPath, [cvc, 'report', '--pipeline', run.pipelineFile], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`${run.page}: not built yet; run \`npx nx run report:stage\``);
    await runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet }); // for the tests below
  }, 30_000);

  it('gives a byte-identical page when run again', async () => {
    const dir = join(run.root, 'artifacts', 'report');
    const before = hashTree(dir);
    await runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet });
    expect(hashTree(dir)).toEqual(before);
  }, 30_000);

  it('leaves out a section that is not listed', async () => {
    writeFixturePipeline(run.root, 'data', { sections: ['provenance'], deps: [] });
    await runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet });
    const only = readFileSync(run.page, 'utf8');
    expect([...only.matchAll(/<section id="([a-z-]+)">/g)].map((m) => m[1])).toEqual(['provenance']);
    expect(only).not.toContain('class="px"');
  }, 30_000);

  it('refuses a section whose artifacts are not in deps, naming the field', async () => {
    writeFixturePipeline(run.root, 'data', { sections: ['dataset', 'provenance'], deps: [] });
    await expect(runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet })).rejects.toThrow(
      /stages\.report\.params\.sections: section "dataset" reads artifact "dataset": add it to stages\.report\.deps/,
    );
  }, 30_000);

  it('refuses an unknown section name, naming the field', async () => {
    writeFixturePipeline(run.root, 'data', { sections: ['dataset', 'horoscope'] });
    await expect(runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet })).rejects.toThrow(/stages\.report\.params\.sections/);
    expect(existsSync(run.page)).toBe(true); // the previous page is left as it was
  }, 30_000);

  it('refuses a missing pipeline file, naming it', async () => {
    const file = writeFixturePipeline(run.root, 'data');
    writeFileSync(file, readFileSync(file, 'utf8').replace('pipelineFile: pipelines/fixture.yaml', 'pipelineFile: pipelines/nope.yaml'));
    await expect(runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet })).rejects.toThrow(/nope\.yaml: file not found/);
  }, 30_000);
});

describe('report stage with classifier, ranker and generator artifacts', () => {
  let run: FixtureRun;
  let page: string;

  beforeAll(async () => {
    run = await fixtureRun({ stages: ['classifier', 'ranker', 'generator'] });
    page = readFileSync(run.page, 'utf8');
  }, 60_000);

  it('adds the task 1, 2 and 3 sections, in the listed order', () => {
    expect([...page.matchAll(/<section id="([a-z-]+)">/g)].map((m) => m[1])).toEqual(['dataset', 'classifier', 'ranker', 'generator', 'provenance']);
  });

  it('shows per generative model and baseline the best hybrids beside their nearest training images, strips, samples, and one table under three judges next to the real floor', () => {
    const generator = page.slice(page.indexOf('<section id="generator">'), page.indexOf('<section id="provenance">'));
    expect(generator).toContain('1 generative model trained on the 12 training images and 1 training-free baseline');
    // Per model the two best hybrids, 32x32 each, in the metrics' order (index 4 then 1); hover names the nearest training image.
    expect([...generator.matchAll(/<img class="px"[^>]*alt="hybrid (\d+):/g)].map((m) => m[1])).toEqual(['4', '1', '4', '1']);
    expect(generator).toContain('nearest training image clock/clock.3.png (RMS 0.200)');
    // One row per model: training, hybrid share (best, second, both calibrated), 12-way p(clock)+p(crocodile), class accuracy (best, second, 12-way), FID/KID (two spaces), precision/recall, memorisation.
    expect(generator).toContain('<td><b>frequency</b></td><td>baseline</td><td class="num">25%</td><td class="num">13%</td><td>25% / 25%</td><td class="num">0.61</td><td>75% / 100%</td><td>50% / 75%</td><td>25% / 50%</td><td>80.5 / 0.150</td><td>40.3 / 0.300</td><td>0.50 / 0.25; 0.75 / 0.50</td>');
    expect(generator).toContain('<td><b>vae</b></td><td>2 epochs, guided</td><td class="num">50%</td><td class="num">25%</td>');
    expect(generator).toContain('took 60 gradient steps toward its class (hybrids: toward undecided) under 12 networks of resnet-scratch and shallow');
    expect(generator).toContain('its own random view of the image at every step, shifted by up to 3 px for class samples and 0 px for hybrids, mirrored or not; hybrids start from the guided clock');
    expect(generator).toContain('are the pixel average of a clock and a crocodile the decoder draws from them, guided together.');
    expect(generator).toContain('<td><i>real test images (8)</i></td><td>—</td><td class="num">13%</td><td class="num">25%</td><td>13% / 50%</td><td class="num">0.70</td><td>100% / 75%</td><td>75% / 75%</td><td>50% / 75%</td><td>12.5 / 0.010</td><td>3.5 / 0.020</td>');
    expect(generator).toContain('calibrated p is σ(logit(p) / T) with each judge\'s temperature (T = 1.20 and 3.90');
    expect(generator).toContain('<b>object-judge</b> is a 4-way classifier (frog, ship, clock, crocodile) (held out: CIFAR-10 test 80%, test clocks 90%, test crocodiles 85%)');
    // The frequency baseline's two directions, and what the 12-way judge calls the class samples.
    expect(generator).toContain('<td>clock low + crocodile high</td><td class="num">3</td><td class="num">33%</td><td class="num">0%</td><td class="num">0.70</td>');
    expect(generator).toContain('clock samples called frog 50%, clock 25%, ship 25%');
    expect(generator).toContain('A training-free baseline (sigma 1.5)');
    for (const alt of ['interpolation strips of vae', 'class samples of vae', 'all hybrids of vae', 'training losses of vae', 'best hybrids of vae above their nearest training images', 'interpolation strips of frequency', 'best hybrids of frequency above their nearest training images']) expect(generator).toContain(`alt="${alt}"`);
    expect(generator).not.toContain('training losses of frequency');
  });

  it('shows the classifier table, charts and plots from its artifacts', () => {
    expect(page).toContain('<td><b>cnn</b> ★</td><td>conv</td><td class="num">3 / 5</td><td class="num">93.8% ± 6.3%</td><td class="num">75.0%</td>');
    expect(page).toContain('alt="confusion matrices on the test split"');
    expect(page).toContain('alt="cross-validation fold accuracies per model"');
    for (const alt of ['training curves of shallow', 'training curves of cnn', 'misclassified images of cnn', 'reliability diagram']) expect(page).toContain(`alt="${alt}"`);
  });

  it('shows the headline list with its held-out check, the panel matrix, the scorer table, comparisons and one-sided lists', () => {
    const ranker = page.slice(page.indexOf('<section id="ranker">'), page.indexOf('<section id="generator">'));
    // Headline: all 5 of its top; the comparison scorer's top 4; 2 one-sided lists × 4.
    expect(ranker.match(/<img class="px"/g)).toHaveLength(5 + 4 + 8);
    expect(ranker).toContain('<h3>Looks like either: panel-consensus</h3>\n<p>Images both models find hard to call, among typical images.</p>');
    expect(ranker).toContain('top 5: <b>0.180</b>');
    expect(ranker).toContain('<figcaption>0.930 <span title="misclassified out of fold">✗</span></figcaption>');
    expect(ranker).toContain('<figcaption>0.860 <span title="outlier (isolation)">○</span></figcaption>');
    for (const alt of ['panel agreement: Spearman of |p - 0.5|', 'panel agreement: overlap of the 5 most ambiguous', 'panel agreement: cross ambiguity at 5']) expect(ranker).toContain(`alt="${alt}"`);
    expect(ranker).toContain('<td><b>shallow</b></td><td>the dense net</td><td class="num">0.300</td>');
    // Scorer table: held-out @5, judges, outliers, misclassified, class counts, median isolation.
    expect(ranker).toContain('<td class="num">0.280</td><td class="num">2</td><td class="num">2</td><td class="num">0.40</td><td class="num">4 : 1</td><td class="num">1.60</td>');
    expect(ranker).toContain('<b>panel-consensus</b> ★');
    expect(ranker).toContain('<h4>clock like crocodile</h4>');
    expect(ranker).toContain('<h4>crocodile like clock</h4>');
    expect(ranker).toContain('alt="scorer agreement: Spearman rank correlation"');
    expect(ranker).toContain('alt="scorer agreement: overlap of the top 5"');
  });

  it('names the file and the field when an upstream artifact lacks what the page needs', async () => {
    const metrics = join(run.root, 'artifacts', 'classifier', 'metrics.json');
    // Hand-edited artifacts without a lock: with the classifier's lock in place the runner's
    // input check (core integrity.ts) would stop the run before the page's own checks.
    const dropLock = () => rmSync(join(run.root, 'artifacts', 'classifier', 'stage.lock.json'));
    dropLock();
    const json = JSON.parse(readFileSync(metrics, 'utf8'));
    delete json.models[1].crossValidation.mean;
    writeFileSync(metrics, JSON.stringify(json));
    await expect(runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet })).rejects.toThrow(
      `${metrics}: (root).models.1.crossValidation.mean: Invalid input: expected number, received undefined`,
    );
    rmSync(join(run.root, 'artifacts', 'classifier', 'plots', 'reliability.png'));
    await runStage({ pipelineFile: run.pipelineFile, stage: 'classifier', log: quiet }); // restores metrics.json
    dropLock();
    rmSync(join(run.root, 'artifacts', 'classifier', 'plots', 'reliability.png'));
    await expect(runStage({ pipelineFile: run.pipelineFile, stage: 'report', log: quiet })).rejects.toThrow(/plots\/reliability\.png: missing from the classifier's plots/);
  }, 30_000);
});
