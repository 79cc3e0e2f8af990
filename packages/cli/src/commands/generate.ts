// cvc generate --model vae|gan|diffusion|autoencoder --n 16 --mix 0.5 --out <dir>: new images from a trained generator.
// Every option is checked, and the checkpoint against the generator stage's lock, before any work.
import { initCompute, tf } from '@cvc/core/backend';
import { MAX_GENERATED, checkpointDirFor, generateToFolder, guidanceFor, guidedTarget } from '@cvc/generator/generate';
import { checkArtifactFiles, pipelineIfPresent } from '../checked-artifact.ts';
import { integerOption, newOutputFolder, numberOption, seedOption } from '../options.ts';

interface GenerateOptions {
  pipeline: string;
  model: string;
  n: string;
  mix: string;
  seed: string;
  out: string;
  json?: boolean;
  /** commander's --no-guidance: false when given. */
  guidance: boolean;
}

export async function generateCommand(opts: GenerateOptions): Promise<void> {
  const n = integerOption('--n', opts.n, 1, MAX_GENERATED);
  const mix = numberOption('--mix', opts.mix, 0, 1, '0 = clock … 1 = crocodile');
  const seed = seedOption('--seed', opts.seed);
  const pipeline = pipelineIfPresent(opts.pipeline);
  const out = newOutputFolder('--out', opts.out, pipeline?.root);
  const dir = checkpointDirFor(opts.pipeline, opts.model);
  checkArtifactFiles(pipeline, [dir]);
  await initCompute(() => {});
  // Guided as the generator stage guides this model (pipeline params), unless --no-guidance.
  const guidance = opts.guidance ? await guidanceFor(tf, opts.pipeline, opts.model) : undefined;
  if (guidance) {
    guidedTarget(mix); // a mix with no guided target fails before any work
    checkArtifactFiles(pipeline, guidance.inputs);
  }
  const files = await generateToFolder(tf, dir, { n, mix, seed, out, ...(guidance ? { guidance } : {}) });
  guidance?.dispose();
  const how = guidance ? `guided by ${guidance.settings.guides.join(' + ')}` : 'unguided';
  if (opts.json) process.stdout.write(`${JSON.stringify({ model: opts.model, mix, seed, guided: Boolean(guidance), checkpoint: dir, out, files })}\n`);
  process.stderr.write(`${files.length} images (${opts.model}, ${how}, mix ${mix}: 0 clock … 1 crocodile) from ${dir} → ${out}/\n`);
}
