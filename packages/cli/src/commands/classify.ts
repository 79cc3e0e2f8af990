// cvc classify <files or folders…>: label and p(crocodile) per image with a saved classifier.
import { initCompute } from '@cvc/core/backend';
import { loadClassifierModel } from '@cvc/vision/classifier-model';
import { classifyImages } from '@cvc/vision/classify';
import { collectImages } from '../collect-images.ts';
import { defaultModelDir } from '../artifact-path.ts';
import { checkModelFolder, pipelineIfPresent } from '../checked-artifact.ts';

interface ClassifyOptions {
  pipeline: string;
  model?: string;
  json?: boolean;
}

export async function classifyCommand(paths: string[], opts: ClassifyOptions): Promise<void> {
  const dir = opts.model ?? defaultModelDir(opts.pipeline);
  checkModelFolder(pipelineIfPresent(opts.pipeline), dir);
  await initCompute(() => {});
  const classifier = await loadClassifierModel(dir);
  const { classes, model, fold } = classifier.metadata;
  if (!opts.json) process.stderr.write(`model ${model} (${fold === 'full' ? 'full' : `fold ${fold}`}) from ${dir}\n`);
  const entries = collectImages(paths, classes);
  if (entries.length === 0) throw new Error(`${paths.join(', ')}: no image files found`);
  let failed = 0;
  let labelled = 0;
  let correct = 0;
  await classifyImages(
    classifier,
    entries,
    (r) => {
      if (r.trueLabel !== undefined) {
        labelled++;
        if (r.trueLabel === r.label) correct++;
      }
      process.stdout.write(opts.json ? `${JSON.stringify({ file: r.file, label: r.label, pCrocodile: Number(r.pCrocodile.toFixed(6)) })}\n` : `${r.label.padEnd(10)} ${r.pCrocodile.toFixed(4)}  ${r.file}\n`);
    },
    (file, err) => {
      failed++;
      const message = err.message.startsWith(file) ? err.message : `${file}: ${err.message}`;
      process.stderr.write(`cvc classify: ${message}\n`);
    },
  );
  if (labelled > 0) process.stderr.write(`accuracy ${((100 * correct) / labelled).toFixed(2)}% (${correct}/${labelled} images in ${classes.join('/')} folders)\n`);
  if (failed > 0) {
    process.stderr.write(`cvc classify: ${failed} of ${entries.length} file${entries.length === 1 ? '' : 's'} could not be classified\n`);
    process.exitCode = 1;
  }
}
