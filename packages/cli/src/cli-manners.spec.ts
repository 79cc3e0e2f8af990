// The command line's manners: a version, help that answers without loading TensorFlow.js, an
// example in every command's help, required options marked, internal flags hidden, and --json
// on `generate` (a tiny saved VAE in a throw-away workspace).
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createRng } from '@cvc/core';
import { tempDir, testWorkspace } from '@cvc/core/testing';
import { initCompute, tf } from '@cvc/core/backend';
import { createVae } from '@cvc/generator/vae';
import { saveGenerator } from '@cvc/generator/generator-artifact';

const cvc = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cvc.mjs');
const run = (...args: string[]) => execa('node', [cvc, ...args], { reject: false });
const COMMANDS = ['stage', 'status', 'verify', 'metrics show', 'metrics diff', 'metrics list', 'exp run', 'exp show', 'dag', 'report', 'similar', 'classify', 'generate', 'cache-server'];

describe('cvc manners', () => {
  it('status compares against the profile a run would use (CVC_PROFILE), and names a mistyped one', async () => {
    const pipelineFile = join(dirname(cvc), '..', '..', '..', 'pipelines', 'clocks-vs-crocodiles.yaml');
    const typo = await execa('node', [cvc, 'status', '--pipeline', pipelineFile], { reject: false, env: { CVC_PROFILE: 'smok' } });
    expect(typo.exitCode).toBe(1);
    expect(typo.stderr).toContain('profiles.smok: no such profile (did you mean "smoke"?)');
    expect((await execa('node', [cvc, 'status', '--pipeline', pipelineFile], { reject: false, env: { CVC_PROFILE: 'smoke' } })).exitCode).toBe(0);
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(dirname(cvc), '..', 'package.json'), 'utf8')) as { version: string };
    expect((await run('--version')).stdout).toBe(`cvc ${version}`);
  });

  it('loads no TensorFlow.js for --help, and does for a command that uses it', async () => {
    // tfjs is CommonJS: every file of it that loads lands in require.cache, which a preload reports at exit.
    const probe = join(tempDir('cvc-help-probe-'), 'probe.cjs');
    writeFileSync(probe, 'process.on("exit", () => process.stderr.write(`tfjs files: ${Object.keys(require.cache).filter((f) => f.includes("@tensorflow")).length}\\n`));\n');
    const help = await execa('node', ['--require', probe, cvc, '--help'], { reject: false });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Commands:');
    expect(help.stderr).toContain('tfjs files: 0');
    const generate = await execa('node', ['--require', probe, cvc, 'generate', '--model', 'vae', '--out', join(tempDir(), 'x'), '--pipeline', '/nonexistent.yaml'], { reject: false });
    expect(generate.stderr).not.toContain('tfjs files: 0'); // the probe can see tfjs load
  });

  it('shows an example in every command\'s help, marks required options and hides internal flags', async () => {
    const helps = await Promise.all(COMMANDS.map((c) => run(...c.split(' '), '--help')));
    helps.forEach((h, i) => {
      expect(h.exitCode, COMMANDS[i]).toBe(0);
      expect(h.stdout, COMMANDS[i]).toMatch(/Examples:\n {2}\$ npx cvc /);
    });
    const byName = Object.fromEntries(COMMANDS.map((c, i) => [c, helps[i]!.stdout]));
    expect(byName.generate).toMatch(/--model <model>\s+\(required\)/);
    expect(byName.generate).toMatch(/--out <dir>\s+\(required\)/);
    expect(byName['exp run']).toMatch(/--set <path=value\.\.\.>\s+\(required\)/);
    expect(byName.stage).not.toContain('--params-digest');
    expect((await run('--help')).stdout).not.toMatch(/^\s+snapshot/m);
  });
});

describe('cvc generate --json', () => {
  const { root, pipelineFile } = testWorkspace('cvc-generate-json-', () => [
    'seed: 1',
    'artifacts:',
    '  generator_vae: { path: artifacts/generator/vae, format: folder }',
    'stages:',
    '  generator: { package: upstream/generator, outs: [generator_vae] }',
  ]);

  beforeAll(async () => {
    await initCompute(() => {});
    const vae = createVae(tf, { latentDim: 2, channels: 8, reconWeight: 2, learningRate: 0.003 }, createRng(3));
    saveGenerator(join(root, 'artifacts', 'generator', 'vae', 'checkpoint'), vae, { kind: 'vae', config: { latentDim: 2, channels: 8, reconWeight: 2, learningRate: 0.003 }, classNames: ['clock', 'crocodile'], epochs: 1 });
    vae.dispose();
  });

  it('prints one JSON object naming the files it wrote', async () => {
    const out = join(root, 'out');
    const result = await run('generate', '--model', 'vae', '--n', '2', '--mix', '0.25', '--out', out, '--json', '--pipeline', pipelineFile);
    expect(result.exitCode).toBe(0);
    const parsed = JSON.parse(result.stdout) as { model: string; mix: number; seed: number; files: string[] };
    expect(parsed).toMatchObject({ model: 'vae', mix: 0.25, seed: 1 });
    expect(parsed.files.map((f) => f.slice(out.length + 1))).toEqual(['vae-mix0.25-000.png', 'vae-mix0.25-001.png']);
    expect(readFileSync(parsed.files[0]!).subarray(1, 4).toString()).toBe('PNG');
  });
});
