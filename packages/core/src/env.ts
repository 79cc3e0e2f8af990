// Environment variables the pipeline reads, named in one place.

/** Forces a compute backend: tfjs-node | native | wasm | cpu. */
export const BACKEND_ENV = 'CVC_BACKEND';

/** `CVC_RESUME=0`: stages that keep resumable checkpoints train from scratch (set by `cvc verify`). */
export const RESUME_ENV = 'CVC_RESUME';

/** Env override of an external path param: `dataDir` → `CVC_DATA_DIR`. */
export function envNameForParam(param: string): string {
  return `CVC_${param.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}
