// What a workload module gives the CLI.
import type * as tfTypes from '@tensorflow/tfjs';
import type { NativeAddon } from '@cvc/compute';
import type { Images } from '../data.ts';

export interface RunOptions {
  tf: typeof tfTypes;
  addon: NativeAddon | null;
  threads: number;
  /** Use seeded synthetic images instead of the real data. */
  synthetic: boolean;
  /** Workload-specific sizes (undefined = the workload's default). */
  images?: number;
  epochs?: number;
  steps?: number;
}

export interface WorkloadResult {
  /** The measured figure: seconds of the workload's unit (an epoch, or N steps). */
  seconds: number;
  /** What `seconds` covers, e.g. "one epoch: 391 steps of batch 128". */
  unit: string;
  images: number;
  loss: number;
  weightsFnv: string;
  data: string;
  extra?: Record<string, unknown>;
  /** Arguments for the PyTorch twin (config, sizes) and the data it must train on. */
  twin: { script: string; args: string[]; data: Images };
}
