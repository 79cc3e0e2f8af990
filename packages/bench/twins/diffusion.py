#!/usr/bin/python3
"""Twin of the generator stage's class-conditional DDPM (packages/generator/src/diffusion.ts): a small
UNet (c channels at 32x32, 2c with a residual block at 16x16, 4c with two at 8x8; skips added),
group norm (groups of 8 channels, gain 1 + γ) + SiLU, FiLM scale/shift from the time + class
embedding, ε-prediction with MSE on a cosine schedule, flips, label dropout for classifier-free
guidance; Adam, EMA of the weights after every step."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import parse_args, trainable_count
from generator_loop import run

GROUP = 8


class Block(nn.Module):
    def __init__(self, ch, emb):
        super().__init__()
        self.gn1, self.gn2 = nn.Parameter(torch.zeros(ch)), nn.Parameter(torch.zeros(ch))
        self.conv1, self.conv2 = nn.Conv2d(ch, ch, 3, 1, 1), nn.Conv2d(ch, ch, 3, 1, 1)
        self.scale, self.shift = nn.Linear(emb, ch), nn.Linear(emb, ch)

    def forward(self, x, e):
        g = x.shape[1] // GROUP
        t = self.conv1(F.silu(F.group_norm(x, g, eps=1e-5) * (1 + self.gn1)[:, None, None]))
        t = F.group_norm(t, g, eps=1e-5) * (1 + self.gn2)[:, None, None]
        t = F.silu(t * (1 + self.scale(e))[:, :, None, None] + self.shift(e)[:, :, None, None])
        return x + self.conv2(t)


class Unet(nn.Module):
    def __init__(self, c):
        super().__init__()
        emb = 4 * c
        self.c = c
        self.time1, self.time2 = nn.Linear(c, emb), nn.Linear(emb, emb)
        self.classes = nn.Parameter(torch.randn(3, emb))
        self.inp = nn.Conv2d(3, c, 3, 1, 1)
        self.down1, self.down2 = nn.Conv2d(c, 2 * c, 4, 2, 1), nn.Conv2d(2 * c, 4 * c, 4, 2, 1)
        self.res16a, self.mid, self.mid2, self.res16b = Block(2 * c, emb), Block(4 * c, emb), Block(4 * c, emb), Block(2 * c, emb)
        self.up2, self.up1 = nn.ConvTranspose2d(4 * c, 2 * c, 4, 2, 1), nn.ConvTranspose2d(2 * c, c, 4, 2, 1)
        self.outgn = nn.Parameter(torch.zeros(c))
        self.out = nn.Conv2d(c, 3, 3, 1, 1)
        nn.init.zeros_(self.out.weight)

    def forward(self, x, tfeat, classes):
        e = F.silu(self.time2(F.silu(self.time1(tfeat))) + classes @ self.classes)
        s32 = self.inp(x)
        s16 = self.res16a(self.down1(s32), e)
        t = self.mid2(self.mid(self.down2(s16), e), e)
        t = self.res16b(self.up2(t) + s16, e)
        t = self.up1(t) + s32
        t = F.silu(F.group_norm(t, self.c // GROUP, eps=1e-5) * (1 + self.outgn)[:, None, None])
        return self.out(t)


def cosine_alpha_bar(T):
    f = lambda t: math.cos(((t / T + 0.008) / 1.008) * (math.pi / 2)) ** 2
    return torch.tensor([min(0.9999, max(1e-5, f(t + 1) / f(0))) for t in range(T)])


def time_features(ts, T, dim):
    half = dim // 2
    s = ts.double() / T * 1000
    a = s[:, None] * torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / half)[None]
    return torch.cat([a.sin(), a.cos()], 1).float()


a = parse_args(__doc__)
c = a.config
net = Unet(c['channels'])
if a.count_params:
    print('{"params": %d}' % trainable_count(net))
    raise SystemExit
ema = [p.detach().clone() for p in net.parameters()]
opt = torch.optim.Adam(net.parameters(), lr=c['learningRate'], eps=1e-7)
alpha_bar = cosine_alpha_bar(c['timesteps'])
steps_taken = 0


def step(x, y):
    global steps_taken
    n = x.shape[0]
    ts = torch.randint(0, c['timesteps'], (n,))
    ab = alpha_bar[ts].view(n, 1, 1, 1)
    flip = torch.rand(n) < 0.5
    x0 = torch.where(flip.view(n, 1, 1, 1), x.flip(3), x) * 2 - 1
    noise = torch.randn_like(x0)
    xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
    ids = torch.where(torch.rand(n) < c['dropLabel'], torch.full((n,), 2), y.argmax(1))
    opt.zero_grad(set_to_none=True)
    loss = F.mse_loss(net(xt, time_features(ts, c['timesteps'], c['channels']), F.one_hot(ids, 3).float()), noise)
    loss.backward()
    opt.step()
    steps_taken += 1
    decay = min(c['emaDecay'], (1 + steps_taken) / (10 + steps_taken))
    with torch.no_grad():
        for e, p in zip(ema, net.parameters()):
            e.mul_(decay).add_(p, alpha=1 - decay)
    return {'loss': loss.item()}


run('diffusion', a, c['batchSize'], step, [net])
