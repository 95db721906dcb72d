"""Hand-written numpy versions of the netlang bench workloads (float32, SGD momentum 0.9)."""
from common import arguments, set_thread_environment, time_steps, report, WORKLOADS
args = arguments("numpy")
set_thread_environment(args.threads)
import numpy as np

rng = np.random.default_rng(1)
f32 = np.float32


def uniform(*shape, bound):
    return rng.uniform(-bound, bound, size=shape).astype(f32)


class SGD:
    def __init__(self, params, lr=0.01, momentum=0.9):
        self.params, self.lr, self.mu = params, f32(lr), f32(momentum)
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.v):
            v *= self.mu; v += g
            p -= self.lr * v


def softmax_ce_grad(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z); p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / f32(len(labels))


def sigmoid(x):
    return f32(1) / (f32(1) + np.exp(-x))


def dense_net(sizes, hidden, out, loss, batch):
    """Layers of sizes[i] -> sizes[i+1]; `hidden` activation per hidden layer (list), `out` on the
    output; loss 'ce', 'mse' or 'bce'."""
    params = []
    for i in range(len(sizes) - 1):
        bound = 1 / np.sqrt(sizes[i])
        params += [uniform(sizes[i + 1], sizes[i], bound=bound), uniform(sizes[i + 1], bound=bound)]
    acts = hidden + [out]
    x = rng.random((batch, sizes[0]), dtype=f32)
    if loss == "ce":
        target = rng.integers(0, sizes[-1], batch)
    elif loss == "bce":
        target = x
    else:
        target = rng.random((batch, sizes[-1]), dtype=f32)
    opt = SGD(params)

    def step():
        hs = [x]
        for i, act in enumerate(acts):
            W, b = params[2 * i], params[2 * i + 1]
            a = hs[-1] @ W.T + b
            if act == "relu": a = np.maximum(a, 0)
            elif act == "tanh": a = np.tanh(a)
            elif act == "sigmoid": a = sigmoid(a)
            hs.append(a)
        y = hs[-1]
        if loss == "ce":
            g = softmax_ce_grad(y, target)
        elif loss == "bce":  # sigmoid output + BCE: gradient wrt pre-activation
            g = (y - target) / f32(batch)
        else:
            g = (y - target) / f32(batch)
        grads = [None] * len(params)
        for i in reversed(range(len(acts))):
            act = acts[i]
            if i != len(acts) - 1 or loss not in ("bce",):
                if act == "relu": g = g * (hs[i + 1] > 0)
                elif act == "tanh": g = g * (1 - hs[i + 1] ** 2)
                elif act == "sigmoid" and i != len(acts) - 1: g = g * hs[i + 1] * (1 - hs[i + 1])
            W = params[2 * i]
            grads[2 * i] = g.T @ hs[i]
            grads[2 * i + 1] = g.sum(axis=0)
            if i > 0:
                g = g @ W
        opt.step(grads)
    return step


def lenet(batch):
    x = rng.random((batch, 1, 28, 28), dtype=f32)
    labels = rng.integers(0, 10, batch)
    shapes = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,),
              (10, 84), (10,)]
    params = [uniform(*s, bound=0.1) for s in shapes]
    opt = SGD(params)

    def im2col(a, k, pad):
        if pad:
            a = np.pad(a, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        win = np.lib.stride_tricks.sliding_window_view(a, (k, k), axis=(2, 3))  # B,C,OH,OW,k,k
        B, C, OH, OW = win.shape[:4]
        return np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(B * OH * OW, C * k * k), OH, OW

    def col2im(cols, shape, k, pad, OH, OW):
        B, C, H, W = shape
        d = np.zeros((B, C, H + 2 * pad, W + 2 * pad), f32)
        cols = cols.reshape(B, OH, OW, C, k, k)
        for i in range(k):
            for j in range(k):
                d[:, :, i:i + OH, j:j + OW] += cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
        return d[:, :, pad:pad + H, pad:pad + W] if pad else d

    def conv(a, W, b, pad):
        cols, OH, OW = im2col(a, 5, pad)
        y = cols @ W.reshape(W.shape[0], -1).T + b
        return y.reshape(a.shape[0], OH, OW, -1).transpose(0, 3, 1, 2), cols, OH, OW

    def pool(a):
        B, C, H, W = a.shape
        r = a.reshape(B, C, H // 2, 2, W // 2, 2)
        m = r.max(axis=(3, 5))
        mask = r == m[:, :, :, None, :, None]
        return m, mask

    def unpool(g, mask):
        return (mask * g[:, :, :, None, :, None]).reshape(mask.shape[0], mask.shape[1], mask.shape[2] * 2, mask.shape[4] * 2)

    def step():
        W1, b1, W2, b2, W3, b3, W4, b4, W5, b5 = params
        c1, cols1, oh1, ow1 = conv(x, W1, b1, 2); r1 = np.maximum(c1, 0); p1, m1 = pool(r1)
        c2, cols2, oh2, ow2 = conv(p1, W2, b2, 0); r2 = np.maximum(c2, 0); p2, m2 = pool(r2)
        f = p2.reshape(batch, -1)
        h3 = np.maximum(f @ W3.T + b3, 0); h4 = np.maximum(h3 @ W4.T + b4, 0); out = h4 @ W5.T + b5
        g = softmax_ce_grad(out, labels)
        gW5, gb5 = g.T @ h4, g.sum(0); g = (g @ W5) * (h4 > 0)
        gW4, gb4 = g.T @ h3, g.sum(0); g = (g @ W4) * (h3 > 0)
        gW3, gb3 = g.T @ f, g.sum(0); g = (g @ W3).reshape(p2.shape)
        g = unpool(g, m2) * (r2 > 0)
        gy = g.transpose(0, 2, 3, 1).reshape(-1, 16)
        gW2, gb2 = (gy.T @ cols2).reshape(W2.shape), gy.sum(0)
        g = col2im(gy @ W2.reshape(16, -1), p1.shape, 5, 0, oh2, ow2)
        g = unpool(g, m1) * (r1 > 0)
        gy = g.transpose(0, 2, 3, 1).reshape(-1, 6)
        gW1, gb1 = (gy.T @ cols1).reshape(W1.shape), gy.sum(0)
        opt.step([gW1, gb1, gW2, gb2, gW3, gb3, gW4, gb4, gW5, gb5])
    return step


def lstm(batch, steps=32, vocab=65, embed=64, hidden=128):
    H = hidden
    ids = rng.integers(0, vocab, (batch, steps)); targets = rng.integers(0, vocab, (batch, steps))
    params = [uniform(vocab, embed, bound=1.0), uniform(4 * H, embed, bound=H ** -0.5),
              uniform(4 * H, H, bound=H ** -0.5), uniform(4 * H, bound=H ** -0.5),
              uniform(vocab, H, bound=H ** -0.5), uniform(vocab, bound=H ** -0.5)]
    opt = SGD(params)

    def step():
        E, Wih, Whh, b, Wo, bo = params
        x = E[ids]                                     # B,T,I
        pre = (x.reshape(-1, embed) @ Wih.T + b).reshape(batch, steps, 4 * H)
        h = np.zeros((batch, steps, H), f32); c = np.zeros((batch, steps, H), f32)
        gates = np.empty_like(pre)
        hp = np.zeros((batch, H), f32); cp = np.zeros((batch, H), f32)
        for t in range(steps):
            a = pre[:, t] + hp @ Whh.T
            i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 3 * H:])
            gg = np.tanh(a[:, 2 * H:3 * H])
            cp = f * cp + i * gg; hp = o * np.tanh(cp)
            gates[:, t, :H], gates[:, t, H:2 * H], gates[:, t, 2 * H:3 * H], gates[:, t, 3 * H:] = i, f, gg, o
            h[:, t], c[:, t] = hp, cp
        logits = h.reshape(-1, H) @ Wo.T + bo
        g = softmax_ce_grad(logits, targets.reshape(-1))
        gWo, gbo = g.T @ h.reshape(-1, H), g.sum(0)
        gh = (g @ Wo).reshape(batch, steps, H)
        dgates = np.empty_like(gates)
        dh = np.zeros((batch, H), f32); dc = np.zeros((batch, H), f32)
        for t in reversed(range(steps)):
            i, f, gg, o = gates[:, t, :H], gates[:, t, H:2 * H], gates[:, t, 2 * H:3 * H], gates[:, t, 3 * H:]
            tc = np.tanh(c[:, t]); prev = c[:, t - 1] if t > 0 else 0
            dht = gh[:, t] + dh
            dct = dc + dht * o * (1 - tc * tc)
            d = dgates[:, t]
            d[:, :H] = dct * gg * i * (1 - i); d[:, H:2 * H] = dct * prev * f * (1 - f)
            d[:, 2 * H:3 * H] = dct * i * (1 - gg * gg); d[:, 3 * H:] = dht * tc * o * (1 - o)
            dc = dct * f
            dh = d @ Whh
        D = dgates.reshape(-1, 4 * H)
        gWih = D.T @ x.reshape(-1, embed)
        hprev = np.concatenate([np.zeros((batch, 1, H), f32), h[:, :-1]], axis=1).reshape(-1, H)
        gWhh = D.T @ hprev
        gb = D.sum(0)
        gx = D @ Wih
        gE = np.zeros_like(E); np.add.at(gE, ids.reshape(-1), gx)
        opt.step([gE, gWih, gWhh, gb, gWo, gbo])
    return step


def rbm(batch, visible=784, hidden=500):
    """CD-1 as Hinton's rbm.m: probabilities for statistics, sampled hidden states, momentum."""
    W = (0.1 * rng.standard_normal((hidden, visible))).astype(f32)
    vb, hb = np.zeros(visible, f32), np.zeros(hidden, f32)
    vel = [np.zeros_like(W), np.zeros_like(vb), np.zeros_like(hb)]
    v0 = rng.random((batch, visible), dtype=f32)
    lr, mu, decay = f32(0.1), f32(0.9), f32(0.0002)

    def step():
        h0 = sigmoid(v0 @ W.T + hb)
        hs = (h0 > rng.random(h0.shape, dtype=f32)).astype(f32)
        v1 = sigmoid(hs @ W + vb)
        h1 = sigmoid(v1 @ W.T + hb)
        dW = (h0.T @ v0 - h1.T @ v1) / f32(batch) - decay * W
        vel[0] *= mu; vel[0] += lr * dW
        vel[1] *= mu; vel[1] += lr * (v0 - v1).mean(0)
        vel[2] *= mu; vel[2] += lr * (h0 - h1).mean(0)
        W[...] += vel[0]; vb[...] += vel[1]; hb[...] += vel[2]
    return step


builders = {
    "rbm": rbm,
    "mlp": lambda b: dense_net([784, 512, 256, 10], ["relu", "relu"], "linear", "ce", b),
    "tiny": lambda b: dense_net([2, 16, 16, 1], ["tanh", "tanh"], "linear", "mse", b),
    "lenet": lenet,
    "autoencoder": lambda b: dense_net([784, 1000, 500, 250, 30, 250, 500, 1000, 784],
                                       ["sigmoid"] * 3 + ["linear"] + ["sigmoid"] * 3, "sigmoid", "bce", b),
    "lstm": lstm,
}
for name, batch in WORKLOADS:
    if name in args.only:
        report("numpy", name, batch, args.threads, time_steps(builders[name](batch), batch, args.repetitions))
