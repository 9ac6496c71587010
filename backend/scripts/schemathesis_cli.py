"""The `schemathesis` command, with `ast.parse` taken one thread at a time.

CPython 3.11 counts the AST builder's recursion depth once per interpreter, not per
thread, so two worker threads parsing at once (Hypothesis parses the source of its
lambdas to describe them) fail with "AST constructor recursion depth mismatch".
"""

import ast
import sys
import threading
from typing import Any

from schemathesis.cli import schemathesis

_one_at_a_time = threading.Lock()
_parse = ast.parse


def _serialised_parse(*args: Any, **kwargs: Any) -> Any:
    with _one_at_a_time:
        return _parse(*args, **kwargs)


if __name__ == "__main__":
    ast.parse = _serialised_parse
    sys.exit(schemathesis())
