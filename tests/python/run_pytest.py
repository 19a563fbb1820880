#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the Python module's tests with Debian's pytest (python3-pytest): exit 77 (meson:
SKIP), saying so, when pytest is not installed; `sh tools/quickstart.sh test`
installs it, so there the tests always run."""
import os
import sys


def main():
    try:
        import pytest
    except ImportError:
        print("SKIP python3-pytest is not installed: the Python module's tests did not run")
        return 77
    here = os.path.dirname(os.path.abspath(__file__))
    return pytest.main(["-q", "-rs", "-p", "no:cacheprovider", here] + sys.argv[1:])


# The guard matters: worker processes started by spawn import this file again.
if __name__ == "__main__":
    sys.exit(main())
