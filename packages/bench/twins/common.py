"""What every PyTorch twin shares: arguments, the bench's exported data, timing and the result line.

A twin trains the same network with the same recipe, batch and data as its TypeScript workload
(packages/bench/src/workloads) and prints one JSON line. `--count-params` prints the trainable
parameter count only (the bench's tests compare it with the TypeScript model's).
"""
import argparse, hashlib, json, os, time

import numpy as np
import torch


def parse_args(description, **defaults):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--config', required=True, help="the workload's params as JSON (from the pipeline file)")
    ap.add_argument('--data', help='folder with images.u8, labels.u8, meta.json (written by the bench)')
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--steps', type=int, default=defaults.get('steps', 24))
    ap.add_argument('--warmup', type=int, default=defaults.get('warmup', 2))
    ap.add_argument('--epochs', type=int, default=defaults.get('epochs', 1))
    ap.add_argument('--count-params', action='store_true', help='print {"params": N} and exit')
    a = ap.parse_args()
    a.config = json.loads(a.config)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if not a.count_params and not a.data:
        ap.error('--data is required unless --count-params')
    return a


def load_images(folder):
    """uint8 images [n, 32, 32, 3] → (float32 [n, 3, 32, 32] in [0, 1], int64 labels, meta)."""
    with open(os.path.join(folder, 'meta.json')) as f:
        meta = json.load(f)
    n = meta['n']
    raw = np.fromfile(os.path.join(folder, 'images.u8'), dtype=np.uint8)
    if raw.size != n * 32 * 32 * 3:
        raise SystemExit(f'{folder}/images.u8: {raw.size} bytes, meta.json says {n} images of 32x32x3')
    x = torch.from_numpy(raw.reshape(n, 32, 32, 3)).permute(0, 3, 1, 2).float().div_(255).contiguous()
    y = torch.from_numpy(np.fromfile(os.path.join(folder, 'labels.u8'), dtype=np.uint8).astype(np.int64))
    return x, y, meta


def normalise(x, meta):
    mean = torch.tensor(meta['mean']).view(1, 3, 1, 1)
    std = torch.tensor(meta['std']).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous()


def trainable_count(*modules):
    return sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)


def weights_hash(*modules):
    h = hashlib.sha256()
    for m in modules:
        for p in m.parameters():
            h.update(p.detach().numpy().tobytes())
    return h.hexdigest()[:8]


def report(workload, seconds, unit, images, loss, modules, **extra):
    print(json.dumps({
        'framework': f'pytorch-{torch.__version__}', 'threads': torch.get_num_threads(), 'seconds': round(seconds, 4),
        'unit': unit, 'imagesPerSecond': round(images / seconds, 1), 'loss': round(float(loss), 5),
        'weightsHash': weights_hash(*modules), **extra,
    }))


class Clock:
    """Wall time and process CPU time since start()."""
    def start(self):
        self.t, self.c = time.perf_counter(), time.process_time()
        return self

    def wall(self):
        return time.perf_counter() - self.t

    def cpu(self):
        return time.process_time() - self.c
