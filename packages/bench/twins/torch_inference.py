#!/usr/bin/python3
"""PyTorch inference timing for the reference CNN: predict 1000 images (one batch), median of 5."""
import json, statistics, sys, time
import torch, torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
layers, cin = [], 3
for i, n in enumerate([32, 64, 64, 128, 128]):
    layers += [nn.Conv2d(cin, n, 3, padding=1), nn.LeakyReLU(0.1)]
    if i < 3:
        layers.append(nn.MaxPool2d(2))
    cin = n
net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1)).eval()
x = torch.rand(1000, 3, 32, 32)
times = []
with torch.no_grad():
    net(x)
    for _ in range(5):
        t = time.perf_counter()
        net(x)
        times.append(time.perf_counter() - t)
s = statistics.median(times)
print(json.dumps({'framework': f'pytorch-{torch.__version__}', 'threads': threads,
                  'inferenceSeconds': round(s, 4), 'inferenceImagesPerSecond': round(1000 / s, 1)}))
