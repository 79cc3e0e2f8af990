#!/usr/bin/python3
"""Twin of the generator stage's conditional VAE (packages/generator/src/vae.ts): encoder of three
4x4 stride-2 convs (image in [-1, 1] + 2 label channels) with LeakyReLU(0.2) → mu, logvar; decoder
dense → 4x4 → three 4x4 stride-2 transposed convs, the label as 2 constant channels before each,
ReLU, sigmoid out. Loss: reconWeight · summed squared error per image + KL per image; Adam."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import parse_args, trainable_count
from generator_loop import run


def label_maps(y, h, w):
    return y.view(-1, 2, 1, 1).expand(-1, 2, h, w)


class Vae(nn.Module):
    def __init__(self, c, latent):
        super().__init__()
        self.c = c
        self.conv1, self.conv2, self.conv3 = nn.Conv2d(5, c, 4, 2, 1), nn.Conv2d(c, 2 * c, 4, 2, 1), nn.Conv2d(2 * c, 4 * c, 4, 2, 1)
        self.mu, self.logvar = nn.Linear(16 * 4 * c, latent), nn.Linear(16 * 4 * c, latent)
        self.fc = nn.Linear(latent + 2, 16 * 4 * c)
        self.up1 = nn.ConvTranspose2d(4 * c + 2, 2 * c, 4, 2, 1)
        self.up2 = nn.ConvTranspose2d(2 * c + 2, c, 4, 2, 1)
        self.up3 = nn.ConvTranspose2d(c + 2, 3, 4, 2, 1)

    def encode(self, x, y):
        t = torch.cat([x * 2 - 1, label_maps(y, 32, 32)], 1)  # [n, 5, 32, 32]
        t = F.leaky_relu(self.conv1(t), 0.2)
        t = F.leaky_relu(self.conv2(t), 0.2)
        t = F.leaky_relu(self.conv3(t), 0.2).flatten(1)  # [n, 16·4c]
        return self.mu(t), self.logvar(t)

    def decode(self, z, y):
        t = F.relu(self.fc(torch.cat([z, y], 1))).view(-1, 4 * self.c, 4, 4)
        t = F.relu(self.up1(torch.cat([t, label_maps(y, 4, 4)], 1)))
        t = F.relu(self.up2(torch.cat([t, label_maps(y, 8, 8)], 1)))
        return torch.sigmoid(self.up3(torch.cat([t, label_maps(y, 16, 16)], 1)))


a = parse_args(__doc__)
c = a.config
net = Vae(c['channels'], c['latentDim'])
if a.count_params:
    print('{"params": %d}' % trainable_count(net))
    raise SystemExit
opt = torch.optim.Adam(net.parameters(), lr=c['learningRate'], eps=1e-7)


def step(x, y):
    n = x.shape[0]
    opt.zero_grad(set_to_none=True)
    mu, logvar = net.encode(x, y)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    recon = ((net.decode(z, y) - x) ** 2).sum() / n
    kl = -0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum() / n
    loss = c['reconWeight'] * recon + kl
    loss.backward()
    opt.step()
    return {'loss': loss.item(), 'recon': recon.item(), 'kl': kl.item()}


run('vae', a, c['batchSize'], step, [net])
