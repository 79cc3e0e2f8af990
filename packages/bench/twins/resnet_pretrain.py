#!/usr/bin/python3
"""Twin of the bench's resnet-pretrain workload (packages/pretrain/src/pretrain.ts): one epoch of the
resnet with a 10-way head on the exported CIFAR-10 images, batch 128, flips + pad-4 crops, SGD
Nesterov 0.9 with warm-up + cosine LR and decoupled weight decay on kernels, softmax cross-entropy
with label smoothing; loss and accuracy read back every step, as the TypeScript loop does.
Timed from the model's construction to the end of the epoch's last step."""
import statistics, time

import torch
import torch.nn.functional as F

from common import Clock, load_images, normalise, parse_args, report, trainable_count
from resnet_net import augment, decayed, from_config, learning_rate

a = parse_args(__doc__)
c = a.config
if a.count_params:
    print('{"params": %d}' % trainable_count(from_config(c, 10)))
    raise SystemExit
x, y, meta = load_images(a.data)
x = normalise(x, meta)
n, batch = len(y), c['batchSize']
gen = torch.Generator().manual_seed(1)

clock = Clock().start()
net = from_config(c, 10).train()
opt = torch.optim.SGD(net.parameters(), lr=c['learningRate'], momentum=0.9, nesterov=True)
kernels = decayed(net)
steps_per_epoch = (n + batch - 1) // batch
total, warmup = steps_per_epoch * a.epochs, steps_per_epoch * c['warmupEpochs']
step, loss_sum, correct, step_times = 0, 0.0, 0, []
for epoch in range(a.epochs):
    order = torch.randperm(n, generator=gen)
    for s in range(0, n, batch):
        t = time.perf_counter()
        idx = order[s:s + batch]
        xb = augment(x[idx], c['augment']['flip'], c['augment']['pad'], 0, gen)
        lr = learning_rate(step, total, warmup, c['learningRate'])
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        z = net(xb)
        loss = F.cross_entropy(z, y[idx], label_smoothing=c['labelSmoothing'])
        loss.backward()
        opt.step()
        with torch.no_grad():
            for w in kernels:
                w.mul_(1 - lr * c['weightDecay'])
            correct += int((z.argmax(1) == y[idx]).sum().item())
        loss_sum += loss.item() * len(idx)
        step += 1
        step_times.append(time.perf_counter() - t)
seconds = clock.wall()
report('resnet-pretrain', seconds, f'{a.epochs} epoch(s): {step} steps of batch {batch}', n * a.epochs, loss_sum / (n * a.epochs), [net],
       cpuSeconds=round(clock.cpu(), 3), stepSecondsMedian=round(statistics.median(step_times[1:] or step_times), 4),
       data=meta['source'], accuracy=round(correct / (n * a.epochs), 4))
