#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The README's PyTorch recipe, taken from the README: the same batches with 0, 1 and
3 DataLoader workers over two epochs. Exit 77 (meson: SKIP) when torch is not
importable. Environment as for the pytest tests (BOXMIX_ROOT, PYTHONPATH)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import SAMPLES_IMAGES, SAMPLES_JSON  # noqa: E402
from readme import python_block  # noqa: E402

try:
    import torch  # noqa: F401
except ImportError:
    print("SKIP torch is not importable: the README's PyTorch recipe was not run")
    sys.exit(77)

ns = {"__name__": "recipe"}
exec(python_block("online-item") + python_block("torch-recipe"), ns)


def batches(workers):
    data = ns["CutMixDataset"](SAMPLES_JSON, SAMPLES_IMAGES, seed=11)
    got = []
    for epoch in range(2):
        data.set_epoch(epoch)
        loader = torch.utils.data.DataLoader(data, batch_size=3, num_workers=workers,
                                             collate_fn=lambda b: b)
        for batch in loader:
            got.extend(batch)
    return got


ref = batches(0)
for workers in (1, 3):
    other = batches(workers)
    assert len(other) == len(ref) == 16
    for (i1, t1), (i2, t2) in zip(ref, other):
        assert torch.equal(i1, i2) and torch.equal(t1["boxes"], t2["boxes"])
        assert torch.equal(t1["labels"], t2["labels"])
assert not torch.equal(ref[0][0], ref[8][0])  # epoch 1 mixes anew
print("README PyTorch recipe: 0, 1 and 3 workers give the same tensors over 2 epochs")
