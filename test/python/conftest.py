"""pytest set-up: the runtime from python/ (as `pip install python/` would provide it) and these helpers."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
for path in (os.path.join(REPO, "python"), HERE):
    if path not in sys.path:
        sys.path.insert(0, path)
