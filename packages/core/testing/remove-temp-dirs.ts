// vitest setup file: spec files leave no folders behind in the OS temp dir.
import { afterAll } from 'vitest';
import { removeTempDirs } from './fixtures.ts';

afterAll(removeTempDirs);
