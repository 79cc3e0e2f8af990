"""The pipeline's resnet (packages/classifier/src/models.ts) in PyTorch: post-activation basic blocks.

stem conv3x3 (no bias) + BN + LeakyReLU(0.1) [+ max-pool 2x2] → per stage one or more blocks
(stages 2+ halve H and W in their first block; a 1x1 conv + BN projection when the shape changes)
→ global average pool → dense (fc7) + ReLU → dropout → head. Batch norm: eps 1e-3, momentum 0.9 in
tfjs terms (0.1 here). Initialisers as in the TypeScript model (He normal convs, Glorot dense).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, stride, k=3):
    conv = nn.Conv2d(cin, cout, k, stride, padding=k // 2, bias=False)
    nn.init.kaiming_normal_(conv.weight)
    return nn.Sequential(conv, nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, stride)
        self.conv2 = conv_bn(cout, cout, 1)
        self.proj = conv_bn(cin, cout, stride, k=1) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.conv2(F.leaky_relu(self.conv1(x), 0.1))
        return F.leaky_relu(y + (self.proj(x) if self.proj is not None else x), 0.1)


class Resnet(nn.Module):
    def __init__(self, widths, blocks_per_stage, dense, dropout, stem_pool, outputs):
        super().__init__()
        self.stem = conv_bn(3, widths[0], 1)
        self.stem_pool = stem_pool
        blocks, cin = [], widths[0]
        for s, w in enumerate(widths):
            for b in range(blocks_per_stage):
                blocks.append(Block(cin, w, 2 if s > 0 and b == 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc7 = nn.Linear(cin, dense)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(dense, outputs)
        for lin in (self.fc7, self.head):
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)

    def forward(self, x):  # x [n, 3, 32, 32]
        x = F.leaky_relu(self.stem(x), 0.1)
        if self.stem_pool:
            x = F.max_pool2d(x, 2)
        x = self.blocks(x).mean((2, 3))  # [n, widths[-1]]
        return self.head(self.dropout(F.relu(self.fc7(x))))


def from_config(c, outputs):
    return Resnet(c['widths'], c['blocksPerStage'], c['dense'], c['dropout'], c['stemPool'], outputs)


def decayed(net):
    """Conv and dense kernels: the TypeScript recipe's decoupled weight decay skips biases and BN."""
    return [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def augment(x, flip, pad, cutout, gen):
    """Batched flips, pad + random crop (zero = the mean colour after normalisation) and cutout."""
    n, _, h, w = x.shape
    if flip:
        m = torch.rand(n, generator=gen) < 0.5
        x = torch.where(m.view(n, 1, 1, 1), x.flip(3), x)
    if pad > 0:
        xp = F.pad(x, (pad, pad, pad, pad))
        oy = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen) + torch.arange(h)
        ox = torch.randint(0, 2 * pad + 1, (n, 1), generator=gen) + torch.arange(w)
        x = xp[torch.arange(n).view(n, 1, 1, 1), torch.arange(3).view(1, 3, 1, 1), oy.view(n, 1, h, 1), ox.view(n, 1, 1, w)]
    if cutout > 0:
        cy = torch.randint(0, h, (n, 1), generator=gen) - cutout // 2
        cx = torch.randint(0, w, (n, 1), generator=gen) - cutout // 2
        rows = torch.arange(h).view(1, h)
        cols = torch.arange(w).view(1, w)
        inside_y = (rows >= cy) & (rows < cy + cutout)
        inside_x = (cols >= cx) & (cols < cx + cutout)
        keep = ~(inside_y.view(n, 1, h, 1) & inside_x.view(n, 1, 1, w))
        x = x * keep
    return x


def learning_rate(step, total, warmup, base):
    """Linear warm-up then cosine decay to 0 (packages/classifier/src/train.ts learningRateAt)."""
    import math
    if step < warmup:
        return base * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return 0.5 * base * (1 + math.cos(math.pi * min(1, t)))
