"""JAX versions of the netlang bench workloads: jax.jit of the whole training step (forward,
backward, SGD momentum 0.9 update), float32 on the CPU."""
from common import arguments, set_thread_environment, time_steps, report, WORKLOADS
args = arguments("jax")
set_thread_environment(args.threads)
import jax
import jax.numpy as jnp

jax.config.update("jax_platforms", "cpu")
key = jax.random.PRNGKey(1)


def init_dense(key, sizes):
    params = []
    for i in range(len(sizes) - 1):
        key, k1, k2 = jax.random.split(key, 3)
        bound = sizes[i] ** -0.5
        params.append((jax.random.uniform(k1, (sizes[i + 1], sizes[i]), minval=-bound, maxval=bound),
                       jax.random.uniform(k2, (sizes[i + 1],), minval=-bound, maxval=bound)))
    return params


def ce(logits, labels):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], axis=1))


def mlp_apply(params, x, acts):
    for (W, b), act in zip(params, acts):
        x = act(x @ W.T + b)
    return x


ident = lambda x: x


def conv(x, W, b, pad):
    y = jax.lax.conv_general_dilated(x, W, (1, 1), [(pad, pad), (pad, pad)])
    return y + b[None, :, None, None]


def pool(x):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def lstm_apply(params, ids):
    E, Wih, Whh, b, Wo, bo = params
    x = E[ids]
    H = Whh.shape[1]
    pre = x @ Wih.T + b
    def cell(carry, p):
        h, c = carry
        a = p + h @ Whh.T
        i, f, g, o = jax.nn.sigmoid(a[:, :H]), jax.nn.sigmoid(a[:, H:2*H]), jnp.tanh(a[:, 2*H:3*H]), jax.nn.sigmoid(a[:, 3*H:])
        c = f * c + i * g; h = o * jnp.tanh(c)
        return (h, c), h
    B = ids.shape[0]
    _, hs = jax.lax.scan(cell, (jnp.zeros((B, H)), jnp.zeros((B, H))), jnp.swapaxes(pre, 0, 1))
    return jnp.swapaxes(hs, 0, 1) @ Wo.T + bo


def build_rbm(batch, visible=784, hidden=500):
    """CD-1 as Hinton's rbm.m, the whole update jitted."""
    k1, k2 = jax.random.split(key)
    state = {"p": (0.1 * jax.random.normal(k1, (hidden, visible)), jnp.zeros(visible),
                   jnp.zeros(hidden)),
             "v": (jnp.zeros((hidden, visible)), jnp.zeros(visible), jnp.zeros(hidden)),
             "key": k2}
    v0 = jax.random.uniform(k2, (batch, visible))

    @jax.jit
    def cd1(params, velocity, key):
        W, vb, hb = params
        key, sub = jax.random.split(key)
        h0 = jax.nn.sigmoid(v0 @ W.T + hb)
        hs = (h0 > jax.random.uniform(sub, h0.shape)).astype(jnp.float32)
        v1 = jax.nn.sigmoid(hs @ W + vb)
        h1 = jax.nn.sigmoid(v1 @ W.T + hb)
        grads = ((h0.T @ v0 - h1.T @ v1) / batch - 0.0002 * W, (v0 - v1).mean(0), (h0 - h1).mean(0))
        velocity = tuple(0.9 * v + 0.1 * g for v, g in zip(velocity, grads))
        return tuple(p + v for p, v in zip(params, velocity)), velocity, key

    def step():
        state["p"], state["v"], state["key"] = cd1(state["p"], state["v"], state["key"])

    return step, lambda: jax.block_until_ready(state["p"])


def build(name, batch):
    if name == "rbm":
        return build_rbm(batch)
    k1, k2 = jax.random.split(key)
    if name == "mlp":
        params = init_dense(k1, [784, 512, 256, 10])
        x, t = jax.random.uniform(k2, (batch, 784)), jax.random.randint(k2, (batch,), 0, 10)
        loss = lambda p, x, t: ce(mlp_apply(p, x, [jax.nn.relu, jax.nn.relu, ident]), t)
    elif name == "tiny":
        params = init_dense(k1, [2, 16, 16, 1])
        x, t = jax.random.uniform(k2, (batch, 2)), jax.random.uniform(k2, (batch, 1))
        loss = lambda p, x, t: 0.5 * jnp.sum((mlp_apply(p, x, [jnp.tanh, jnp.tanh, ident]) - t) ** 2) / batch
    elif name == "autoencoder":
        params = init_dense(k1, [784, 1000, 500, 250, 30, 250, 500, 1000, 784])
        x = jax.random.uniform(k2, (batch, 784)); t = x
        acts = [jax.nn.sigmoid] * 3 + [ident] + [jax.nn.sigmoid] * 3 + [ident]
        def loss(p, x, t):
            z = mlp_apply(p, x, acts)
            return jnp.sum(jnp.maximum(z, 0) - z * t + jnp.log1p(jnp.exp(-jnp.abs(z)))) / batch
    elif name == "lenet":
        ks = jax.random.split(k1, 10)
        shapes = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,), (10, 84), (10,)]
        params = [jax.random.uniform(k, s, minval=-0.1, maxval=0.1) for k, s in zip(ks, shapes)]
        x, t = jax.random.uniform(k2, (batch, 1, 28, 28)), jax.random.randint(k2, (batch,), 0, 10)
        def loss(p, x, t):
            h = pool(jax.nn.relu(conv(x, p[0], p[1], 2)))
            h = pool(jax.nn.relu(conv(h, p[2], p[3], 0))).reshape(x.shape[0], -1)
            h = jax.nn.relu(h @ p[4].T + p[5]); h = jax.nn.relu(h @ p[6].T + p[7])
            return ce(h @ p[8].T + p[9], t)
    else:
        ks = jax.random.split(k1, 6)
        H = 128
        shapes = [(65, 64), (4 * H, 64), (4 * H, H), (4 * H,), (65, H), (65,)]
        params = [jax.random.uniform(k, s, minval=-0.09, maxval=0.09) for k, s in zip(ks, shapes)]
        x, t = jax.random.randint(k2, (batch, 32), 0, 65), jax.random.randint(k1, (batch, 32), 0, 65)
        loss = lambda p, x, t: ce(lstm_apply(p, x).reshape(-1, 65), t.reshape(-1))
    velocity = jax.tree_util.tree_map(jnp.zeros_like, params)

    @jax.jit
    def train_step(params, velocity, x, t):
        grads = jax.grad(loss)(params, x, t)
        velocity = jax.tree_util.tree_map(lambda v, g: 0.9 * v + g, velocity, grads)
        params = jax.tree_util.tree_map(lambda p, v: p - 0.01 * v, params, velocity)
        return params, velocity

    state = {"p": params, "v": velocity}

    def step():
        state["p"], state["v"] = train_step(state["p"], state["v"], x, t)

    def sync():
        jax.block_until_ready(state["p"])
    return step, sync


for name, batch in WORKLOADS:
    if name in args.only:
        step, sync = build(name, batch)
        report("jax", name, batch, args.threads, time_steps(step, batch, args.repetitions, sync))
