"""PyTorch eager versions of the netlang bench workloads (float32, CPU, SGD momentum 0.9)."""
from common import arguments, set_thread_environment, time_steps, report, WORKLOADS
args = arguments("torch")
set_thread_environment(args.threads)
import torch
from torch import nn

torch.set_num_threads(args.threads)
torch.manual_seed(1)


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(65, 64)
        self.lstm = nn.LSTM(64, 128, batch_first=True)
        self.out = nn.Linear(128, 65)

    def forward(self, ids):
        return self.out(self.lstm(self.embed(ids))[0])


def rbm(batch, visible=784, hidden=500):
    """CD-1 as Hinton's rbm.m, by hand (no autograd)."""
    W = 0.1 * torch.randn(hidden, visible)
    vb, hb = torch.zeros(visible), torch.zeros(hidden)
    vel = [torch.zeros_like(W), torch.zeros_like(vb), torch.zeros_like(hb)]
    v0 = torch.rand(batch, visible)

    def step():
        with torch.no_grad():
            h0 = torch.sigmoid(torch.addmm(hb, v0, W.t()))
            hs = (h0 > torch.rand_like(h0)).float()
            v1 = torch.sigmoid(torch.addmm(vb, hs, W))
            h1 = torch.sigmoid(torch.addmm(hb, v1, W.t()))
            dW = (h0.t() @ v0 - h1.t() @ v1) / batch - 0.0002 * W
            vel[0].mul_(0.9).add_(dW, alpha=0.1)
            vel[1].mul_(0.9).add_((v0 - v1).mean(0), alpha=0.1)
            vel[2].mul_(0.9).add_((h0 - h1).mean(0), alpha=0.1)
            W.add_(vel[0]); vb.add_(vel[1]); hb.add_(vel[2])
    return step


def build(name, batch):
    if name == "rbm":
        return rbm(batch)
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                              nn.Linear(256, 10))
        x, t, loss = torch.rand(batch, 784), torch.randint(0, 10, (batch,)), nn.CrossEntropyLoss()
    elif name == "tiny":
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                              nn.Linear(16, 1))
        x, t = torch.rand(batch, 2), torch.rand(batch, 1)
        loss = lambda y, t: 0.5 * ((y - t) ** 2).sum() / batch
    elif name == "lenet":
        model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                              nn.Linear(84, 10))
        x, t, loss = torch.rand(batch, 1, 28, 28), torch.randint(0, 10, (batch,)), nn.CrossEntropyLoss()
    elif name == "autoencoder":
        sizes = [784, 1000, 500, 250, 30, 250, 500, 1000, 784]
        layers = []
        for i in range(8):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i != 3:
                layers.append(nn.Sigmoid())
        model = nn.Sequential(*layers[:-1])      # logits; BCE-with-logits fuses the sigmoid
        x = torch.rand(batch, 784); t = x
        bce = nn.BCEWithLogitsLoss(reduction="sum")
        loss = lambda y, t: bce(y, t) / batch
    else:
        model = LSTMNet()
        x, t = torch.randint(0, 65, (batch, 32)), torch.randint(0, 65, (batch, 32))
        ce = nn.CrossEntropyLoss()
        loss = lambda y, t: ce(y.reshape(-1, 65), t.reshape(-1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad(set_to_none=True)
        loss(model(x), t).backward()
        opt.step()
    return step


for name, batch in WORKLOADS:
    if name in args.only:
        report("torch", name, batch, args.threads, time_steps(build(name, batch), batch, args.repetitions))
