// Links under artifacts/: the artifacts folder itself may be one (another disk); a link below it
// that leads out of its stage's folder is refused, naming the link and where it points.
import { describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertArtifactInside } from './artifact-links.ts';
import { parsePipeline } from './pipeline-file.ts';
import { tempDir } from '../testing/fixtures.ts';

function pipelineIn(root: string) {
  mkdirSync(join(root, 'pipelines'), { recursive: true });
  return parsePipeline(join(root, 'pipelines', 'p.yaml'), {
    seed: 1,
    artifacts: { models: { path: 'artifacts/train/models', format: 'folder' } },
    stages: { train: { package: 'packages/train', outs: ['models'] } },
  });
}

describe('assertArtifactInside', () => {
  it('accepts an artifacts folder that is itself a link (e.g. to another disk), with links inside the stage folder', () => {
    const root = tempDir();
    const disk = tempDir('cvc-disk-');
    mkdirSync(join(disk, 'train', 'models', 'a'), { recursive: true });
    writeFileSync(join(disk, 'train', 'models', 'a', 'w.bin'), 'w');
    symlinkSync(join(disk, 'train', 'models', 'a'), join(disk, 'train', 'models', 'latest'));
    symlinkSync(disk, join(root, 'artifacts'));
    expect(() => assertArtifactInside(pipelineIn(root), 'models', 'train')).not.toThrow();
  });

  it('refuses a link inside an artifact that leads to another stage\'s folder or out of the workspace, and a broken one', () => {
    const root = tempDir();
    const pipeline = pipelineIn(root);
    mkdirSync(join(root, 'artifacts', 'train', 'models'), { recursive: true });
    mkdirSync(join(root, 'artifacts', 'other'), { recursive: true });
    const link = join(root, 'artifacts', 'train', 'models', 'x');
    symlinkSync(join(root, 'artifacts', 'other'), link);
    expect(() => assertArtifactInside(pipeline, 'models', 'train')).toThrow(`artifacts/train/models/x: symbolic link to ${join(root, 'artifacts', 'other')}, outside artifacts/train/ (artifact "models")`);
    const broken = join(root, 'artifacts', 'train', 'models', 'y');
    symlinkSync('/nonexistent/file', broken);
    symlinkSync(join(root, 'artifacts', 'train', 'models'), join(root, 'artifacts', 'train', 'models-self')); // not on the path: ignored
    rmSync(link);
    expect(() => assertArtifactInside(pipeline, 'models', 'train')).toThrow('artifacts/train/models/y: symbolic link to /nonexistent/file (broken), outside artifacts/train/');
  });
});
