// What a report section is: a name in `params.sections`, the artifacts it reads (which must be
// in the stage's deps), and a function that turns those artifacts into HTML.
import type { Rng } from '@cvc/core';

export interface SectionContext {
  /** Absolute path of a declared input artifact (throws if the artifact is not in deps). */
  input(artifact: string): string;
  resolvePath(path: string): string;
  rng(purpose: string): Rng;
  log(message: string): void;
}

export interface RenderedSection {
  id: string;
  title: string;
  /** One line for the table of contents. */
  summary: string;
  html: string;
}
