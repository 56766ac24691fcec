# The reference for DctSpectrumTest: scipy's orthonormal 2-D DCT-II, radially binned as DctSpectrum documents.
import json, numpy as np
from scipy.fft import dctn
rng = np.random.default_rng(24)
h, w = 8, 12
plane = rng.normal(size=(h, w)).astype(np.float32)
plane += np.outer(np.linspace(-1, 1, h), np.ones(w)).astype(np.float32)  # some low-frequency structure
power = dctn(plane.astype(np.float64), type=2, norm='ortho') ** 2
bins = min(h, w) // 2
u, v = np.meshgrid(np.arange(h), np.arange(w), indexing='ij')
b = np.minimum(bins - 1, (np.hypot(u / h, v / w) * bins).astype(int))
b[0, 0] = -1
profile = np.array([power[b == k].mean() for k in range(bins)])
normalised = profile / profile.sum()
print(json.dumps({
    "generatedBy": "python3 with numpy " + np.__version__ + " and scipy.fft.dctn(type=2, norm='ortho'); bins as DctSpectrum documents",
    "height": h, "width": w,
    "plane": [float(x) for x in plane.ravel()],
    "profile": [float(x) for x in profile],
    "highFrequencyFraction": float(normalised[bins // 2:].sum())}, indent=1))
