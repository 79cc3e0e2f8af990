// The artifact formats a catalog entry may name, and how to check that a written artifact is one.
import { readFileSync, statSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readImageDataset } from './image-dataset.ts';
import { readFloatTensor } from './float-tensor.ts';

export interface Format {
  description: string;
  /** Throws an error naming the path if `path` does not hold a valid artifact of this format. */
  validate(path: string): void;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export const FORMATS: Record<string, Format> = {
  'image-dataset': {
    description: 'folder: images.u8 (uint8 NHWC) + manifest.json',
    validate: (path) => void readImageDataset(path),
  },
  png: {
    description: 'a PNG picture',
    validate: (path) => {
      if (!readFileSync(path).subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`${path}: not a PNG file`);
    },
  },
  json: {
    description: 'a JSON document',
    validate: (path) => void JSON.parse(readFileSync(path, 'utf8')),
  },
  html: {
    description: 'an HTML page',
    validate: (path) => {
      if (!/^<!doctype html>/i.test(readFileSync(path, 'utf8').slice(0, 64))) throw new Error(`${path}: not an HTML page (no <!doctype html>)`);
    },
  },
  markdown: {
    description: 'a Markdown document',
    validate: (path) => {
      if (!statSync(path).isFile()) throw new Error(`${path}: not a file`);
    },
  },
  'float-tensor': {
    description: 'folder: data.f32 (float32, row-major) + manifest.json (shape, sha256, row descriptions)',
    validate: (path) => void readFloatTensor(path),
  },
  'tfjs-model': {
    description: 'folder: model.json + weights.bin (TensorFlow.js layers model) + metadata.json',
    validate: (path) => {
      for (const file of ['model.json', 'weights.bin']) {
        if (!existsSync(join(path, file))) throw new Error(`${join(path, file)}: missing from the model folder`);
      }
    },
  },
  folder: {
    description: 'a folder of files described by its README or manifest',
    validate: (path) => {
      if (!statSync(path).isDirectory()) throw new Error(`${path}: not a folder`);
    },
  },
};

export function getFormat(name: string, where: string): Format {
  const format = FORMATS[name];
  if (!format) throw new Error(`${where}: unknown artifact format "${name}" (known: ${Object.keys(FORMATS).join(', ')})`);
  return format;
}
