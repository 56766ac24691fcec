#!/usr/bin/python3
"""Reference fixtures for latentflow's diffusers AutoencoderKL import (kept out of the build and CI).

Builds small random-weight AutoencoderKL checkpoints of both families (SD-style: 4 latent channels with
quant_conv/post_quant_conv; SD3/FLUX-style: 16 channels, no quant convs, a shift factor), writes each as diffusers
writes it (config.json + diffusion_pytorch_model.safetensors), and the reference posterior means and decodes that
PyTorch computes for a few fixed images. The network below follows diffusers' source exactly (autoencoder_kl.py,
vae.py, resnet.py, downsampling.py, upsampling.py, attention_processor.py AttnProcessor); diffusers itself is not
needed, only PyTorch and numpy (Debian: apt-get install python3-torch python3-numpy).

    /usr/bin/python3 model/src/test/python/make_diffusers_fixtures.py model/src/test/resources/diffusers

The Java conformance tests (DiffusersConformanceTest) read what this writes; rerunning it with the same PyTorch
gives the same files (fixed seeds).

Small models for calibrating the drift monitor on 4 and 16 latent channels (random weights, the scale and shift
read from their own latents as SD's 0.18215 was):

    /usr/bin/python3 make_diffusers_fixtures.py drift-models /tmp/drift-models
    # writes drift-sd-c4/ and drift-flux-c16/ (the test fixture drift-flux-c16 is the latter, copied)

Two more uses, for the benchmark of the full-size configuration (never committed: 335 MB):

    # a random-weight checkpoint of the full SD / FLUX-size VAE (128,256,512,512, 2 layers per block)
    /usr/bin/python3 make_diffusers_fixtures.py full-sd /tmp/sd-full [latent_channels]
    # PyTorch eager encoder images/s of an imported latentflow version (what 'bench model --eager-python' runs)
    /usr/bin/python3 make_diffusers_fixtures.py bench-encoder VERSION_DIR SIZE BATCH THREADS WARMUP ITERATIONS

And the independent FLOP count the Java FLOP accounting is checked against (NetworkFlopsTest):

    /usr/bin/python3 model/src/test/python/make_diffusers_fixtures.py flops model/src/test/resources/diffusers
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-6


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=EPS, affine=True)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, cout, eps=EPS, affine=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))  # dropout 0
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x)
        return (x + h) / 1.0  # output_scale_factor 1


class Attention(nn.Module):
    """UNetMidBlock2D's attention: one head of dim C, group norm, residual, rescale_output_factor 1."""

    def __init__(self, c, groups):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, c, eps=EPS, affine=True)
        self.to_q = nn.Linear(c, c)
        self.to_k = nn.Linear(c, c)
        self.to_v = nn.Linear(c, c)
        self.to_out = nn.ModuleList([nn.Linear(c, c), nn.Dropout(0.0)])
        self.scale = c ** -0.5

    def forward(self, x):
        b, c, h, w = x.shape
        residual = x
        s = x.view(b, c, h * w).transpose(1, 2)
        s = self.group_norm(s.transpose(1, 2)).transpose(1, 2)
        q, k, v = self.to_q(s), self.to_k(s), self.to_v(s)
        scores = torch.baddbmm(torch.empty(b, h * w, h * w, dtype=q.dtype), q, k.transpose(-1, -2),
                               beta=0, alpha=self.scale)
        probs = scores.float().softmax(dim=-1).to(q.dtype)  # upcast_softmax
        s = torch.bmm(probs, v)
        s = self.to_out[1](self.to_out[0](s))
        s = s.transpose(-1, -2).reshape(b, c, h, w)
        return (s + residual) / 1.0


class MidBlock(nn.Module):
    def __init__(self, c, groups, add_attention):
        super().__init__()
        self.add_attention = add_attention
        self.attentions = nn.ModuleList([Attention(c, groups)] if add_attention else [])
        self.resnets = nn.ModuleList([ResnetBlock2D(c, c, groups), ResnetBlock2D(c, c, groups)])

    def forward(self, x):
        x = self.resnets[0](x)
        if self.add_attention:
            x = self.attentions[0](x)
        return self.resnets[1](x)


class Downsample2D(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1), mode="constant", value=0))


class Upsample2D(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class DownEncoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, add_downsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, groups) for i in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(cout)]) if add_downsample else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
        return x


class UpDecoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, add_upsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, groups) for i in range(layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if add_upsample else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, groups, layers = cfg["block_out_channels"], cfg["norm_num_groups"], cfg["layers_per_block"]
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        blocks, out = [], ch[0]
        for i, width in enumerate(ch):
            cin, out = out, width
            blocks.append(DownEncoderBlock2D(cin, out, layers, groups, i != len(ch) - 1))
        self.down_blocks = nn.ModuleList(blocks)
        self.mid_block = MidBlock(ch[-1], groups, cfg["mid_block_add_attention"])
        self.conv_norm_out = nn.GroupNorm(groups, ch[-1], eps=EPS)
        self.conv_out = nn.Conv2d(ch[-1], 2 * cfg["latent_channels"], 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for b in self.down_blocks:
            x = b(x)
        x = self.mid_block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, groups, layers = cfg["block_out_channels"], cfg["norm_num_groups"], cfg["layers_per_block"]
        self.conv_in = nn.Conv2d(cfg["latent_channels"], ch[-1], 3, padding=1)
        self.mid_block = MidBlock(ch[-1], groups, cfg["mid_block_add_attention"])
        rev = list(reversed(ch))
        blocks, out = [], rev[0]
        for i, width in enumerate(rev):
            prev, out = out, width
            blocks.append(UpDecoderBlock2D(prev, out, layers + 1, groups, i != len(ch) - 1))
        self.up_blocks = nn.ModuleList(blocks)
        self.conv_norm_out = nn.GroupNorm(groups, ch[0], eps=EPS)
        self.conv_out = nn.Conv2d(ch[0], 3, 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for b in self.up_blocks:
            x = b(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class AutoencoderKL(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c = cfg["latent_channels"]
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        self.quant_conv = nn.Conv2d(2 * c, 2 * c, 1) if cfg["use_quant_conv"] else None
        self.post_quant_conv = nn.Conv2d(c, c, 1) if cfg["use_post_quant_conv"] else None
        self.latent_channels = c

    def posterior_mean(self, x):
        moments = self.encoder(x)
        if self.quant_conv is not None:
            moments = self.quant_conv(moments)
        return moments[:, : self.latent_channels]

    def decode(self, z):
        if self.post_quant_conv is not None:
            z = self.post_quant_conv(z)
        return self.decoder(z)


def config(block_out_channels, layers_per_block, latent_channels, norm_num_groups, quant, scaling, shift,
           attention=True):
    return {
        "_class_name": "AutoencoderKL",
        "_diffusers_version": "0.31.0",
        "act_fn": "silu",
        "block_out_channels": block_out_channels,
        "down_block_types": ["DownEncoderBlock2D"] * len(block_out_channels),
        "up_block_types": ["UpDecoderBlock2D"] * len(block_out_channels),
        "force_upcast": True,
        "in_channels": 3,
        "out_channels": 3,
        "latent_channels": latent_channels,
        "latents_mean": None,
        "latents_std": None,
        "layers_per_block": layers_per_block,
        "mid_block_add_attention": attention,
        "norm_num_groups": norm_num_groups,
        "sample_size": 64,
        "scaling_factor": scaling,
        "shift_factor": shift,
        "use_quant_conv": quant,
        "use_post_quant_conv": quant,
    }


# (name, config, dtype stored, old attention names)
FIXTURES = [
    ("sd-f32", config([8, 16, 16, 16], 1, 4, 8, True, 0.18215, None), "F32", False),
    ("flux-f16", config([8, 16, 16, 16], 1, 16, 8, False, 0.3611, 0.1159), "F16", False),
    ("sdxl-bf16-old-names", config([16, 16, 16, 16], 2, 4, 16, True, 0.13025, None), "BF16", True),
    ("sd3-no-attention-f32", config([8, 8, 8, 16], 1, 16, 8, False, 1.5305, 0.0609, attention=False), "F32",
     False),
]

TORCH_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
OLD_NAMES = {"to_q.": "query.", "to_k.": "key.", "to_v.": "value.", "to_out.0.": "proj_attn."}


def randomize(model, seed):
    """Default init, plus non-trivial norm affines and sharper attention, so every weight shows in the output."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            elif ".to_q." in name or ".to_k." in name:
                p.mul_(3.0)


def write_safetensors(path, tensors, dtype):
    """The safetensors format: u64 LE header length, JSON header (dtype, shape, data_offsets), raw LE data."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        t = t.detach().to(TORCH_DTYPES[dtype]).contiguous()
        if dtype == "BF16":
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype("<f4" if dtype == "F32" else "<f2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # diffusers pads the header to 8 bytes
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)


def images(n, side):
    """Smooth colour gradients, a disc and a little noise, in [-1, 1]: enough structure to exercise every layer."""
    rng = np.random.default_rng(7)
    yy, xx = np.meshgrid(np.linspace(-1, 1, side), np.linspace(-1, 1, side), indexing="ij")
    out = []
    for i in range(n):
        r = np.sin(3 * xx + i) * 0.8
        g = np.cos(2 * yy - i) * 0.7
        b = np.where((xx - 0.3 * i) ** 2 + yy ** 2 < 0.3, 0.9, -0.6)
        img = np.stack([r, g, b]) + 0.05 * rng.standard_normal((3, side, side))
        out.append(np.clip(img, -1, 1))
    return np.stack(out).astype(np.float32)


def main(root):
    os.makedirs(root, exist_ok=True)
    torch.set_num_threads(1)
    x = images(2, 40)  # 40 px: latents of 5 x 5, so the padding meets odd sizes on the way down
    np.save(os.path.join(root, "images.npy"), x)
    for seed, (name, cfg, dtype, old_names) in enumerate(FIXTURES, start=1):
        torch.manual_seed(100 + seed)
        model = AutoencoderKL(cfg).eval()
        randomize(model, 200 + seed)
        with torch.no_grad():
            # The reference runs in float32 on the weights as stored (rounded to F16/BF16 where the file is).
            for p in model.parameters():
                p.copy_(p.to(TORCH_DTYPES[dtype]).float())
            mean = model.posterior_mean(torch.from_numpy(x))
            decoded = model.decode(mean)
        state = model.state_dict()
        if old_names:
            renamed = {}
            for key, value in state.items():
                for new, old in OLD_NAMES.items():
                    key = key.replace(".attentions.0." + new, ".attentions.0." + old)
                renamed[key] = value
            state = renamed
        folder = os.path.join(root, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as out:
            json.dump(cfg, out, indent=2)
        write_safetensors(os.path.join(folder, "diffusion_pytorch_model.safetensors"), state, dtype)
        np.save(os.path.join(folder, "mean.npy"), mean.numpy().astype(np.float32))
        np.save(os.path.join(folder, "decode.npy"), decoded.numpy().astype(np.float32))
        params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {params} parameters, {dtype}, mean {tuple(mean.shape)} std {mean.std():.3f},"
              f" decode range [{decoded.min():.2f}, {decoded.max():.2f}]")


def full_sd(folder, latent_channels=4):
    """A random-weight checkpoint of the full SD configuration (FLUX's and SD3's with 16 channels), F32."""
    quant = latent_channels == 4
    cfg = config([128, 256, 512, 512], 2, latent_channels, 32, quant, 0.18215 if quant else 0.3611,
                 None if quant else 0.1159)
    torch.manual_seed(1)
    model = AutoencoderKL(cfg).eval()
    randomize(model, 2)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as out:
        json.dump(cfg, out, indent=2)
    write_safetensors(os.path.join(folder, "diffusion_pytorch_model.safetensors"), model.state_dict(), "F32")
    print(f"{folder}: {sum(p.numel() for p in model.parameters())} parameters")


def drift_models(root):
    """Random-weight SD-family (4 channels, quant convs) and FLUX-family (16 channels, a shift) VAEs, F16.

    A random network's latents have no unit scale, and the drift monitor's SCALE check holds imported latents to one:
    the scale (and, for the FLUX family, the shift) is read from the model's own posterior means over the smooth test
    images at 256 px, the way SD's 0.18215 was read from its latents. The conformance fixtures' small widths keep the
    encoder cheap enough for `bench drift` to encode some 1600 images at 256 px, and the files near 100 kB.
    """
    torch.set_num_threads(1)
    x = torch.from_numpy(images(4, 256))
    for seed, (name, channels, quant) in enumerate([("drift-sd-c4", 4, True), ("drift-flux-c16", 16, False)],
                                                   start=1):
        cfg = config([8, 16, 16, 16], 1, channels, 8, quant, 1.0, None)
        torch.manual_seed(300 + seed)
        model = AutoencoderKL(cfg).eval()
        randomize(model, 400 + seed)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.to(torch.float16).float())
            mean = model.posterior_mean(x)
        shift = None if quant else round(float(mean.mean()), 4)
        cfg["scaling_factor"] = round(1.0 / float((mean - (shift or 0.0)).std()), 4)
        cfg["shift_factor"] = shift
        folder = os.path.join(root, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as out:
            json.dump(cfg, out, indent=2)
        write_safetensors(os.path.join(folder, "diffusion_pytorch_model.safetensors"), model.state_dict(), "F16")
        params = sum(p.numel() for p in model.parameters())
        print(f"{folder}: {params} parameters, {channels} channels, scaling_factor {cfg['scaling_factor']},"
              f" shift_factor {shift}")


def read_f32_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", name
        start, end = entry["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype="<f4").copy()).reshape(entry["shape"])
    return tensors


def bench_encoder(version_dir, size, batch, threads, warmup, iterations):
    """Images/s of the posterior mean in PyTorch eager, on the encoder weights of an imported latentflow version."""
    import time
    torch.set_num_threads(threads)
    cfg = json.load(open(os.path.join(version_dir, "config.json")))["diffusers"]
    model = AutoencoderKL(cfg).eval()
    missing, unexpected = model.load_state_dict(read_f32_safetensors(os.path.join(version_dir, "encoder.params")),
                                                strict=False)
    assert not unexpected and all(k.startswith(("decoder.", "post_quant_conv.")) for k in missing), (missing,
                                                                                                      unexpected)
    x = torch.from_numpy(images(batch, size))
    with torch.no_grad():
        for _ in range(warmup):
            model.posterior_mean(x)
        start = time.perf_counter()
        for _ in range(iterations):
            model.posterior_mean(x)
        seconds = time.perf_counter() - start
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "size": size, "batch": batch,
                      "iterations": iterations, "imagesPerSecond": batch * iterations / seconds}))


def count_flops(model, forward, x):
    """2 x the multiply-adds that PyTorch's convolutions, linear layers and batched matrix products run on x.

    Counted from the shapes PyTorch sees (forward hooks on every Conv2d and Linear, and the attention's bmm/baddbmm
    wrapped), not from the config: an independent count of the same network. Biases, norms, activations, softmax
    and resampling are not counted, as in the Java count."""
    total = [0]

    def conv_hook(module, inputs, output):
        kh, kw = module.kernel_size
        total[0] += 2 * output.numel() * (module.in_channels // module.groups) * kh * kw

    def linear_hook(module, inputs, output):
        total[0] += 2 * output.numel() * module.in_features

    def matmul_counter(original):
        def counted(*args, **kwargs):
            a, b = [t for t in args if torch.is_tensor(t)][-2:]
            total[0] += 2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]
            return original(*args, **kwargs)
        return counted

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    hooks += [m.register_forward_hook(linear_hook) for m in model.modules() if isinstance(m, nn.Linear)]
    bmm, baddbmm = torch.bmm, torch.baddbmm
    torch.bmm, torch.baddbmm = matmul_counter(bmm), matmul_counter(baddbmm)
    try:
        with torch.no_grad():
            out = forward(x)
    finally:
        torch.bmm, torch.baddbmm = bmm, baddbmm
        for h in hooks:
            h.remove()
    return total[0], out


def flops(root, side=64):
    """flops.json: per fixture, the encoder's (to the posterior's moments) and decoder's FLOPs for one side x side
    image."""
    counts = {}
    for name, cfg, _, _ in FIXTURES:
        model = AutoencoderKL(cfg).eval()
        x = torch.zeros(1, 3, side, side)

        def moments(images):
            m = model.encoder(images)
            return model.quant_conv(m) if model.quant_conv is not None else m

        encoder, m = count_flops(model, moments, x)
        decoder, _ = count_flops(model, model.decode, m[:, : cfg["latent_channels"]])
        counts[name] = {"encoder": encoder, "decoder": decoder}
    with open(os.path.join(root, "flops.json"), "w") as out:
        json.dump({"side": side, "batch": 1, "flops": counts}, out, indent=2)
    print(json.dumps(counts))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "full-sd":
        full_sd(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 4)
    elif len(sys.argv) > 1 and sys.argv[1] == "drift-models":
        drift_models(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "flops":
        flops(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "bench-encoder":
        bench_encoder(sys.argv[2], *[int(a) for a in sys.argv[3:8]])
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "model/src/test/resources/diffusers")
