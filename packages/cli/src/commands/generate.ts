// cvc generate --model vae|gan --n 16 --mix 0.5 --out <dir>: new images from a trained generator.
import { initCompute, tf } from '@cvc/core/backend';
import { checkpointDirFor, generateToFolder } from '@cvc/generator/generate';

interface GenerateOptions {
  pipeline: string;
  model: string;
  n: string;
  mix: string;
  seed: string;
  out: string;
  json?: boolean;
}

export async function generateCommand(opts: GenerateOptions): Promise<void> {
  await initCompute(() => {});
  const dir = checkpointDirFor(opts.pipeline, opts.model);
  const files = await generateToFolder(tf, dir, { n: Number(opts.n), mix: Number(opts.mix), seed: Number(opts.seed), out: opts.out });
  if (opts.json) process.stdout.write(`${JSON.stringify({ model: opts.model, mix: Number(opts.mix), seed: Number(opts.seed), checkpoint: dir, out: opts.out, files })}\n`);
  process.stderr.write(`${files.length} images (${opts.model}, mix ${opts.mix}: 0 clock … 1 crocodile) from ${dir} → ${opts.out}/\n`);
}
