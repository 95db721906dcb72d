# make_rbm_fixture.py: expected parameters after contrastive-divergence updates of a tiny RBM
# (3 visible, 2 hidden, batch 2), computed with numpy in float64 following Hinton's rbm.m and
# rbmhidlinear.m. Prints the Swift literals pasted into RBMTests.swift.
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

class Noise:
    def __init__(self, uniforms, normals):
        self.u, self.n = list(uniforms), list(normals)
    def sample(self, probs, gaussian):
        out = np.zeros_like(probs)
        for i in range(probs.shape[0]):
            for j in range(probs.shape[1]):
                if gaussian:
                    out[i, j] = probs[i, j] + self.n.pop(0)
                else:
                    out[i, j] = 1.0 if probs[i, j] > self.u.pop(0) else 0.0
        return out

def cd(p, data, k, lr, mom, wd, noise, gaussian):
    W, b, c, dW, db, dc = p
    B = data.shape[0]
    act = (lambda x: x) if gaussian else sigmoid
    posh = act(data @ W.T + c)
    states = noise.sample(posh, gaussian)
    for step in range(1, k + 1):
        negv = sigmoid(states @ W + b)
        if step == 1:
            err = ((data - negv) ** 2).sum() / B
        negh = act(negv @ W.T + c)
        if step < k:
            states = noise.sample(negh, gaussian)
    dW = mom * dW + lr * ((posh.T @ data - negh.T @ negv) / B - wd * W)
    db = mom * db + lr * (data.sum(0) - negv.sum(0)) / B
    dc = mom * dc + lr * (posh.sum(0) - negh.sum(0)) / B
    return [W + dW, b + db, c + dc, dW, db, dc], err

def start():
    W = np.array([[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05]])
    b = np.array([0.01, -0.02, 0.03])
    c = np.array([0.1, -0.1])
    return [W, b, c, np.zeros_like(W), np.zeros_like(b), np.zeros_like(c)]

data = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])
uniforms = [0.3, 0.7, 0.55, 0.2, 0.9, 0.1, 0.45, 0.6, 0.35, 0.8, 0.5, 0.25]
normals = [0.5, -1.0, 0.25, 1.5, -0.75, 0.3, 0.1, -0.2]

def show(name, p, errs):
    print(f"// {name}")
    for label, x in zip(["weights", "visibleBias", "hiddenBias"], p[:3]):
        print(f"{label}: [" + ", ".join(f"{v:.9g}" for v in x.ravel()) + "]")
    print("errors:", ", ".join(f"{e:.9g}" for e in errs))

# Two CD-1 steps with momentum 0.5 and weight decay 0.01 (the second uses the velocity).
noise = Noise(uniforms, normals)
p, e1 = cd(start(), data, 1, 0.1, 0.5, 0.01, noise, False)
p, e2 = cd(p, data, 1, 0.1, 0.5, 0.01, noise, False)
show("bernoulli CD-1 twice", p, [e1, e2])
# One CD-2 step.
p, e = cd(start(), data, 2, 0.1, 0.5, 0.01, Noise(uniforms, normals), False)
show("bernoulli CD-2", p, [e])
# Gaussian hidden units, CD-1 twice.
noise = Noise(uniforms, normals)
p, e1 = cd(start(), data, 1, 0.05, 0.5, 0.01, noise, True)
p, e2 = cd(p, data, 1, 0.05, 0.5, 0.01, noise, True)
show("gaussian CD-1 twice", p, [e1, e2])
