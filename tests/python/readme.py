# SPDX-License-Identifier: MIT
"""The README's Python blocks, taken at test time: each follows a marker line
`<!-- python: NAME -->` and is the first ```python block after it, so the text a
reader copies is the text the tests run."""
import os
import re

from conftest import ROOT


def python_block(name):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- python: %s -->\s*```python\n(.*?)```" % re.escape(name), text, re.S)
    if m is None:
        raise AssertionError("README.md has no python block %r" % name)
    return m.group(1)
