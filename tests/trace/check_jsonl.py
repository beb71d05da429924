#!/usr/bin/env python3
"""JSON Lines checker for ndisdma traces.

Concept: every line must parse as one JSON object (python's json module,
strict: no NaN), carry seq, time_ns and kind, with seq increasing by one
and time_ns never decreasing.
Usage: check_jsonl.py FILE.jsonl   exit 0 = valid.
"""
import json
import sys


def reject(c):
    raise ValueError("non-standard constant " + c)


def main(path):
    seq = None
    t = 0
    n = 0
    with open(path, "r", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.endswith("\n"):
                sys.exit("check_jsonl: line %d: no newline" % lineno)
            obj = json.loads(line, parse_constant=reject)
            if not isinstance(obj, dict):
                sys.exit("check_jsonl: line %d: not an object" % lineno)
            for k in ("seq", "time_ns", "kind"):
                if k not in obj:
                    sys.exit("check_jsonl: line %d: no %s" % (lineno, k))
            if seq is not None and obj["seq"] != seq + 1:
                sys.exit("check_jsonl: line %d: seq %d after %d" % (lineno, obj["seq"], seq))
            if obj["time_ns"] < t:
                sys.exit("check_jsonl: line %d: time goes back" % lineno)
            seq, t = obj["seq"], obj["time_ns"]
            n += 1
    if n == 0:
        sys.exit("check_jsonl: empty")
    print("check_jsonl: %s OK: %d records" % (path, n))


if __name__ == "__main__":
    main(sys.argv[1])
