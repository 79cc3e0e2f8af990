// A model's own guidance settings: its perModel entry changes only the fields it names, and a
// misspelt field or a model that cannot be guided is refused by name.
import { describe, expect, it } from 'vitest';
import { generatorParams, guidanceFor } from './params.ts';

describe('guidance per model', () => {
  const params = generatorParams.parse({ models: ['gan', 'autoencoder'], guidance: { models: ['gan', 'autoencoder'], steps: 60, views: 2, perModel: { gan: { steps: 15, hybridSteps: 60 } } } });

  it('overrides only what the entry names', () => {
    const gan = guidanceFor(params, 'gan');
    expect([gan.steps, gan.hybridSteps, gan.views, gan.learningRate]).toEqual([15, 60, 2, 0.05]);
    const autoencoder = guidanceFor(params, 'autoencoder');
    expect([autoencoder.steps, autoencoder.hybridSteps, autoencoder.views]).toEqual([60, undefined, 2]);
  });

  it('refuses a misspelt field and a model that is never guided, naming them', () => {
    expect(() => generatorParams.parse({ models: ['gan'], guidance: { perModel: { gan: { stepz: 15 } } } })).toThrow(/stepz/);
    expect(() => generatorParams.parse({ models: ['gan'], guidance: { perModel: { diffusion: { steps: 15 } } } })).toThrow(/diffusion/);
  });
});
