"""Makes the top-level ``bench`` folder importable as a package in these tests."""

import sys

from tests.helpers import REPO_ROOT

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
