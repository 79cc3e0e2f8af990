#!/usr/bin/python3
"""Twin of the generator stage's conditional GAN (packages/generator/src/gan.ts).

G: class embedding (soft label → mixed embedding), dense z → 4x4x4gc, conditional batch norm + ReLU
(gain 1 + e·Wg + z·Ug, bias e·Wb + z·Ub on batch statistics), three 4x4 stride-2 transposed convs
with CBN + ReLU, 3x3 conv to RGB, tanh. D: projection discriminator with spectral norm (one power
iteration before each D and G update) on every weight, LeakyReLU(0.1), 4x4 stride-2 and 3x3 convs,
minibatch-stddev term, hinge loss; DiffAugment (colour, translation, cutout; the paper's code) on
real and fake. G's loss adds the mode-seeking term over label-sharing pairs. Adam (β1, β2 from the
params), EMA of G's weights after every step."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import parse_args, trainable_count
from generator_loop import run


def normal(*shape, std):
    return nn.Parameter(torch.randn(*shape) * std)


class Generator(nn.Module):
    def __init__(self, latent, embed, gc):
        super().__init__()
        self.gc = gc
        self.embed = normal(2, embed, std=1.0)
        self.fc = nn.Linear(latent, 16 * 4 * gc)
        self.bn = nn.ParameterList()
        self.widths = [4 * gc, 2 * gc, gc, gc // 2]
        for ch in self.widths:  # gain, bias (class), zgain, zbias (latent)
            self.bn.extend([normal(embed, ch, std=0.0), normal(embed, ch, std=0.0),
                            normal(latent, ch, std=0.1 / latent ** 0.5), normal(latent, ch, std=0.1 / latent ** 0.5)])
        self.ups = nn.ModuleList([nn.ConvTranspose2d(4 * gc, 2 * gc, 4, 2, 1), nn.ConvTranspose2d(2 * gc, gc, 4, 2, 1),
                                  nn.ConvTranspose2d(gc, gc // 2, 4, 2, 1)])
        self.rgb = nn.Conv2d(gc // 2, 3, 3, 1, 1)

    def cbn_relu(self, i, x, e, z):
        g, b, zg, zb = self.bn[4 * i:4 * i + 4]
        gain = (1 + e @ g + z @ zg)[:, :, None, None]
        bias = (e @ b + z @ zb)[:, :, None, None]
        return F.relu(F.batch_norm(x, None, None, training=True, eps=1e-5) * gain + bias)

    def forward(self, z, y):
        e = y @ self.embed
        t = self.cbn_relu(0, self.fc(z).view(-1, 4 * self.gc, 4, 4), e, z)
        for i, up in enumerate(self.ups):
            t = self.cbn_relu(i + 1, up(t), e, z)
        return torch.tanh(self.rgb(t))  # [n, 3, 32, 32]


class Discriminator(nn.Module):
    def __init__(self, dc):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3, dc, 4, 2, 1), nn.Conv2d(dc, dc, 3, 1, 1), nn.Conv2d(dc, 2 * dc, 4, 2, 1),
                                    nn.Conv2d(2 * dc, 2 * dc, 3, 1, 1), nn.Conv2d(2 * dc, 4 * dc, 4, 2, 1)])
        self.out = nn.Linear(4 * dc, 1)
        self.spread = nn.Parameter(torch.zeros(1))
        self.project = normal(2, 4 * dc, std=(1 / (4 * dc)) ** 0.5)
        # Spectral norm: power-iteration vectors per weight, as matrices [out, fanIn] (project: [128, 2]).
        self.sn = [(lambda m=m: m.weight) for m in self.convs] + [lambda: self.out.weight, lambda: self.project.t()]
        self.u = [F.normalize(torch.randn(w().shape[0]), dim=0) for w in self.sn]
        self.v = [None] * len(self.sn)

    @torch.no_grad()
    def power_iteration(self):
        for i, w in enumerate(self.sn):
            m = w().reshape(w().shape[0], -1)
            v = F.normalize(m.t() @ self.u[i], dim=0, eps=1e-12)
            self.u[i] = F.normalize(m @ v, dim=0, eps=1e-12)
            self.v[i] = v

    def normed(self, i):
        w = self.sn[i]()
        sigma = self.u[i] @ w.reshape(w.shape[0], -1) @ self.v[i]
        return w / sigma

    def forward(self, x, y):
        t = x
        for i, conv in enumerate(self.convs):
            t = F.leaky_relu(F.conv2d(t, self.normed(i), conv.bias, conv.stride, conv.padding), 0.1)
        spread = torch.sqrt(t.var(0, unbiased=False) + 1e-8).mean()
        h = t.sum((2, 3))  # [n, 4dc]
        psi = F.linear(h, self.normed(5), self.out.bias).view(-1) + self.spread * spread * 16
        projection = ((y @ self.normed(6).t()) * h).sum(1)
        return psi + projection


# DiffAugment (Zhao et al. 2020), the authors' PyTorch code.
def diff_augment(x):
    n = x.shape[0]
    x = x + (torch.rand(n, 1, 1, 1) - 0.5)
    mean = x.mean(1, keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1) * 2) + mean
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1) + 0.5) + mean
    # translation by up to 1/8 of the side, zero fill
    s = int(x.size(2) * 0.125 + 0.5)
    tx = torch.randint(-s, s + 1, size=[n, 1, 1])
    ty = torch.randint(-s, s + 1, size=[n, 1, 1])
    gb, gx, gy = torch.meshgrid(torch.arange(n), torch.arange(x.size(2)), torch.arange(x.size(3)), indexing='ij')
    gx = torch.clamp(gx + tx + 1, 0, x.size(2) + 1)
    gy = torch.clamp(gy + ty + 1, 0, x.size(3) + 1)
    x = F.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1).contiguous()[gb, gx, gy].permute(0, 3, 1, 2).contiguous()
    # cutout of half the side
    cut = int(x.size(2) * 0.5 + 0.5)
    ox = torch.randint(0, x.size(2) + (1 - cut % 2), size=[n, 1, 1])
    oy = torch.randint(0, x.size(3) + (1 - cut % 2), size=[n, 1, 1])
    gb, gx, gy = torch.meshgrid(torch.arange(n), torch.arange(cut), torch.arange(cut), indexing='ij')
    gx = torch.clamp(gx + ox - cut // 2, min=0, max=x.size(2) - 1)
    gy = torch.clamp(gy + oy - cut // 2, min=0, max=x.size(3) - 1)
    mask = torch.ones(n, x.size(2), x.size(3))
    mask[gb, gx, gy] = 0
    return x * mask.unsqueeze(1)


a = parse_args(__doc__)
c = a.config
G = Generator(c['latentDim'], c['embedDim'], c['gChannels'])
D = Discriminator(c['dChannels'])
if a.count_params:
    print('{"params": %d}' % trainable_count(G, D))
    raise SystemExit
ema = [p.detach().clone() for p in G.parameters()]
optG = torch.optim.Adam(G.parameters(), lr=c['learningRateG'], betas=(c['beta1'], c['beta2']), eps=1e-7)
optD = torch.optim.Adam(D.parameters(), lr=c['learningRateD'], betas=(c['beta1'], c['beta2']), eps=1e-7)
steps_taken = 0


def step(x, y):
    global steps_taken
    n = x.shape[0]
    loss_d = 0.0
    for _ in range(c['dSteps']):
        D.power_iteration()
        with torch.no_grad():
            fake = G(torch.randn(n, c['latentDim']), y)
        optD.zero_grad(set_to_none=True)
        ld = F.relu(1 - D(diff_augment(x * 2 - 1), y)).mean() + F.relu(1 + D(diff_augment(fake), y)).mean()
        ld.backward()
        optD.step()
        loss_d += ld.item()
    D.power_iteration()
    half = n // 2
    yg = y.clone()
    yg[half:2 * half] = y[:half]
    z = torch.randn(n, c['latentDim'])
    for p in D.parameters():
        p.requires_grad_(False)
    optG.zero_grad(set_to_none=True)
    fake = G(z, yg)
    lg = -D(diff_augment(fake), yg).mean()
    if c['modeSeeking'] > 0 and half > 0:
        d_image = (fake[:half] - fake[half:2 * half]).abs().mean()
        d_z = (z[:half] - z[half:2 * half]).abs().mean()
        lg = lg + c['modeSeeking'] / (d_image / d_z + 1e-5)
    lg.backward()
    optG.step()
    for p in D.parameters():
        p.requires_grad_(True)
    steps_taken += 1
    decay = min(c['emaDecay'], (1 + steps_taken) / (10 + steps_taken))
    with torch.no_grad():
        for e, p in zip(ema, G.parameters()):
            e.mul_(decay).add_(p, alpha=1 - decay)
    return {'lossD': loss_d / c['dSteps'], 'lossG': lg.item()}


run('gan', a, c['batchSize'], step, [G, D])
