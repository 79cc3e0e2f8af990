"""The step loop the generator twins share (packages/bench/src/workloads/generator.ts): seeded
shuffled batches of the exported training images in [0, 1] with one-hot labels, `warmup` untimed
steps, then `steps` timed ones; the result line has the mean of each loss over the timed steps."""
import statistics, time

import torch
import torch.nn.functional as F

from common import load_images, report


def run(workload, a, batch, step, modules):
    x, y, meta = load_images(a.data)
    onehot = F.one_hot(y, 2).float()
    n = len(y)
    gen = torch.Generator().manual_seed(3)
    order = []
    sums, times = {}, []
    t0 = None
    for s in range(a.warmup + a.steps):
        if s == a.warmup:
            t0 = time.perf_counter()
            c0 = time.process_time()
        t = time.perf_counter()
        if len(order) < batch:
            order = torch.randperm(n, generator=gen).tolist()
        idx, order = order[:batch], order[batch:]
        losses = step(x[idx], onehot[idx])
        if s >= a.warmup:
            times.append(time.perf_counter() - t)
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.0) + v
    seconds = time.perf_counter() - t0
    means = {k: round(v / a.steps, 5) for k, v in sums.items()}
    report(workload, seconds, f'{a.steps} steps of batch {batch} (after {a.warmup} warm-up steps)', a.steps * batch,
           next(iter(means.values())), modules, losses=means, stepSecondsMedian=round(statistics.median(times), 4),
           cpuSeconds=round(time.process_time() - c0, 3), data=meta['source'])
