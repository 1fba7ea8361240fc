"""`python -m capacity` (`make capacity`): writes capacity/capacity.md, .png and .json."""

import sys

from capacity import report


def main() -> int:
    for path in report.write():
        print(f"[capacity] wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
