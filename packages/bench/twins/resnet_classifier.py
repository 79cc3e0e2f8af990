#!/usr/bin/python3
"""Twin of the bench's resnet-classifier workload (packages/classifier/src/train.ts): the ensemble's
members (one resnet with a 1-logit head each) trained one after another on the exported training
split, batch 32, flips + pad crops + cutout, SGD Nesterov 0.9 with warm-up + cosine LR and
decoupled weight decay on kernels, sigmoid cross-entropy with label smoothing; loss and hits read
back every step as the TypeScript loop does. Figure: Σ over members of the median epoch time of
epochs 2..E (epoch 1 alone when E = 1)."""
import statistics, time

import torch
import torch.nn.functional as F

from common import Clock, load_images, normalise, parse_args, report, trainable_count
from resnet_net import augment, decayed, from_config, learning_rate

a = parse_args(__doc__, epochs=3)
c = a.config
t = c['training']
members = [from_config(c, 1) for _ in range(c['ensemble'])]
if a.count_params:
    print('{"params": %d}' % trainable_count(*members))
    raise SystemExit
x, y, meta = load_images(a.data)
x = normalise(x, meta)
yf = y.float().view(-1, 1)
n, batch = len(y), c['batchSize']
gen = torch.Generator().manual_seed(2)
aug = t['augment']
ls = t['labelSmoothing']

clock = Clock().start()
member_times, member_cpu, loss_last = [], [], 0.0
for net in members:
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=t['learningRate'], momentum=0.9, nesterov=True)
    kernels = decayed(net)
    steps_per_epoch = (n + batch - 1) // batch
    total, warmup = steps_per_epoch * a.epochs, steps_per_epoch * t['warmupEpochs']
    step, times, cpus = 0, [], []
    for epoch in range(a.epochs):
        e0, c0 = time.perf_counter(), time.process_time()
        order = torch.randperm(n, generator=gen)
        loss_sum, hits = 0.0, 0
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            xb = augment(x[idx], aug['flip'], aug['pad'], aug['cutout'], gen)
            target = yf[idx] * (1 - ls) + 0.5 * ls
            lr = learning_rate(step, total, warmup, t['learningRate'])
            for g in opt.param_groups:
                g['lr'] = lr
            opt.zero_grad(set_to_none=True)
            z = net(xb)
            loss = F.binary_cross_entropy_with_logits(z, target)
            loss.backward()
            opt.step()
            with torch.no_grad():
                for w in kernels:
                    w.mul_(1 - lr * t['weightDecay'])
                hits += int(((z > 0) == (yf[idx] > 0.5)).sum().item())
            loss_sum += loss.item() * len(idx)
            step += 1
        times.append(time.perf_counter() - e0)
        cpus.append(time.process_time() - c0)
        loss_epoch = loss_sum / n
    member_times.append(times)
    member_cpu.append(cpus)
    loss_last += loss_epoch / len(members)
seconds = sum(statistics.median(ts[1:] if len(ts) > 1 else ts) for ts in member_times)
# CPU of one ensemble epoch: per member, the mean over the timed epochs (2..E, or 1).
cpu = sum(sum(cs[1:] if len(cs) > 1 else cs) / max(1, len(cs) - 1) for cs in member_cpu)
report('resnet-classifier', seconds, f'one epoch of the {len(members)}-member ensemble (median of epochs 2..{a.epochs} per member)',
       n * len(members), loss_last, members, cpuSeconds=round(cpu, 3),
       memberEpochSeconds=[[round(s, 3) for s in ts] for ts in member_times], data=meta['source'])
