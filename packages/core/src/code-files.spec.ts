// A stage's code is what its stage.ts imports, transitively: relative files, workspace packages
// through their exports, dynamic imports, a package's native sources; not npm packages, not specs.
import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../testing/fixtures.ts';
import { importSpecifiers, stageCodeFiles } from './code-files.ts';

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

describe('stage code files', () => {
  it('reads static, type-only, re-export and literal dynamic imports', () => {
    const src = "import a from './a.ts';\nimport type { B } from '@x/b';\nexport * from './c.ts';\nconst d = await import('./d.ts');\nimport './e.ts';\n// import './not-code.ts' in a comment is not an import\n";
    expect(importSpecifiers(src)).toEqual(['./a.ts', '@x/b', './c.ts', './d.ts', './e.ts']);
  });

  it('follows relative and workspace imports, adds package.json and native sources, skips npm packages and unimported files', () => {
    const root = tempDir('cvc-code-files-');
    write(root, 'packages/one/package.json', '{"name":"@w/one"}');
    write(root, 'packages/one/src/stage.ts', "import { x } from './x.ts';\nimport { lib } from '@w/lib/tools';\nimport { z } from 'zod';\n");
    write(root, 'packages/one/src/x.ts', "export const x = await import('./late.ts');\n");
    write(root, 'packages/one/src/late.ts', 'export {};\n');
    write(root, 'packages/one/src/x.spec.ts', "import './x.ts';\n");
    write(root, 'packages/one/scripts/run.ts', "import '../src/x.ts';\n");
    write(root, 'packages/lib/package.json', '{"name":"@w/lib","exports":{".":"./src/index.ts","./*":"./src/*.ts"}}');
    write(root, 'packages/lib/src/tools.ts', "export const lib = 1;\n");
    write(root, 'packages/lib/src/index.ts', "export * from './other.ts';\n");
    write(root, 'packages/lib/src/other.ts', '');
    write(root, 'packages/lib/native/k.cc', '// kernel\n');
    write(root, 'packages/lib/binding.gyp', '{}');
    mkdirSync(join(root, 'node_modules', '@w'), { recursive: true });
    symlinkSync(join(root, 'packages', 'lib'), join(root, 'node_modules', '@w', 'lib'));
    symlinkSync(join(root, 'packages', 'one'), join(root, 'node_modules', '@w', 'one'));
    write(root, 'node_modules/zod/package.json', '{"name":"zod"}');
    expect(stageCodeFiles(root, 'packages/one')).toEqual([
      'packages/lib/binding.gyp',
      'packages/lib/native/k.cc',
      'packages/lib/package.json',
      'packages/lib/src/tools.ts',
      'packages/one/package.json',
      'packages/one/src/late.ts',
      'packages/one/src/stage.ts',
      'packages/one/src/x.ts',
    ]);
  });

  it('names the file whose import does not resolve', () => {
    const root = tempDir('cvc-code-files-');
    write(root, 'packages/one/package.json', '{"name":"@w/one"}');
    write(root, 'packages/one/src/stage.ts', "import './gone.ts';\n");
    expect(() => stageCodeFiles(root, 'packages/one')).toThrow(`${join(root, 'packages/one/src/stage.ts')}: imports "./gone.ts", which does not exist`);
  });
});
