#!/usr/bin/env python3
"""Strict VCD checker for ndisdma traces (IEEE 1364-2001 section 18 subset).

Concept: parse the header and the value changes token by token and fail on
anything a waveform viewer could trip over: missing or repeated header
sections, a $timescale other than "1 ns", unbalanced $scope/$upscope,
duplicate identifiers or names in a scope, value changes for undeclared
identifiers, vectors wider than declared, time stamps that do not strictly
increase, and (for ndisdma) the expected scopes and signals.
Usage: check_vcd.py [--bits] FILE.vcd   exit 0 = valid, 1 = invalid (message
on stderr). --bits: the variant with vectors split into 1-bit wires.
"""
import re
import sys


def fail(msg):
    sys.stderr.write("check_vcd: " + msg + "\n")
    sys.exit(1)


def main(path, bits):
    with open(path, "r", encoding="ascii") as f:
        text = f.read()
    toks = text.split()
    i = 0
    seen = set()
    scopes = []
    ids = {}          # id -> width
    names = {}        # (scope path, name) -> id
    timescale = None
    while True:
        if i >= len(toks):
            fail("no $enddefinitions")
        t = toks[i]
        if not t.startswith("$"):
            fail("unexpected token %r in header" % t)
        kw = t[1:]
        try:
            end = toks.index("$end", i + 1)
        except ValueError:
            fail("$%s without $end" % kw)
        body = toks[i + 1:end]
        i = end + 1
        if kw in ("date", "version", "timescale", "comment"):
            if kw != "comment" and kw in seen:
                fail("repeated $%s" % kw)
            seen.add(kw)
            if kw == "timescale":
                timescale = "".join(body)
        elif kw == "scope":
            if len(body) != 2 or body[0] not in ("module", "task", "function", "begin", "fork"):
                fail("bad $scope %r" % body)
            scopes.append(body[1])
        elif kw == "upscope":
            if body or not scopes:
                fail("unbalanced $upscope")
            scopes.pop()
        elif kw == "var":
            if len(body) not in (4, 5):
                fail("bad $var %r" % body)
            vtype, width, ident, name = body[0], body[1], body[2], body[3]
            if vtype not in ("wire", "reg", "integer"):
                fail("unexpected var type %r" % vtype)
            if not width.isdigit() or int(width) < 1:
                fail("bad width %r" % width)
            if not all(33 <= ord(c) <= 126 for c in ident):
                fail("bad identifier %r" % ident)
            if ident in ids:
                fail("duplicate identifier %r" % ident)
            key = ("/".join(scopes), name)
            if key in names:
                fail("duplicate name %r" % (key,))
            if not scopes:
                fail("$var outside a scope")
            ids[ident] = int(width)
            names[key] = ident
        elif kw == "enddefinitions":
            if body:
                fail("$enddefinitions with a body")
            break
        else:
            fail("unknown header keyword $%s" % kw)
    for need in ("date", "version", "timescale"):
        if need not in seen:
            fail("missing $%s" % need)
    if timescale != "1ns":
        fail("timescale %r, expected 1ns" % timescale)
    if scopes:
        fail("unclosed $scope")
    # ndisdma's own layout
    for c in ("dma1", "dma2"):
        for s in ("hrq", "hlda"):
            if ("ndisdma/" + c, c + "_" + s) not in names:
                fail("missing %s.%s" % (c, s))
    for ch in range(8):
        for s, w in (("dreq", 1), ("dack", 1), ("tc", 1), ("mask", 1),
                     ("address", 16), ("count", 16), ("page", 8)):
            wanted = ["ch%d_%s" % (ch, s)]
            if bits and w > 1:
                wanted = ["ch%d_%s%d" % (ch, s, b) for b in range(w)]
                w = 1
            for name in wanted:
                ident = names.get(("ndisdma/ch%d" % ch, name))
                if ident is None or ids[ident] != w:
                    fail("missing or wrong ch%d.%s" % (ch, name))
    for line in range(16):
        if ("ndisdma/irq", "irq%d" % line) not in names:
            fail("missing irq%d" % line)

    last = None
    in_dump = False
    dumped = set()
    changes = 0
    while i < len(toks):
        t = toks[i]
        i += 1
        if t.startswith("#"):
            if not re.fullmatch(r"#\d+", t):
                fail("bad time stamp %r" % t)
            v = int(t[1:])
            if last is not None and v <= last:
                fail("time %d not after %d" % (v, last))
            last = v
        elif t == "$dumpvars":
            if last is None or dumped:
                fail("$dumpvars misplaced")
            in_dump = True
        elif t == "$end":
            if not in_dump:
                fail("stray $end")
            in_dump = False
            if set(ids) - dumped:
                fail("$dumpvars misses %d signals" % len(set(ids) - dumped))
        elif t[0] in "01xzXZ":
            ident = t[1:]
            if ident not in ids or ids[ident] != 1:
                fail("scalar change for %r" % ident)
            if last is None:
                fail("change before the first time stamp")
            if in_dump:
                dumped.add(ident)
            changes += 1
        elif t[0] in "bB":
            bits = t[1:]
            if i >= len(toks):
                fail("vector without identifier")
            ident = toks[i]
            i += 1
            if not re.fullmatch(r"[01xzXZ]+", bits):
                fail("bad vector %r" % t)
            if ident not in ids or len(bits) > ids[ident]:
                fail("vector change %r for %r" % (bits, ident))
            if in_dump:
                dumped.add(ident)
            changes += 1
        else:
            fail("unexpected token %r" % t)
    if in_dump:
        fail("$dumpvars without $end")
    if last is None or changes == 0:
        fail("no value changes")
    print("check_vcd: %s OK: %d signals, %d changes, last time %d ns" % (path, len(ids), changes, last))


if __name__ == "__main__":
    args = sys.argv[1:]
    split = bool(args) and args[0] == "--bits"
    if split:
        args = args[1:]
    if len(args) != 1:
        fail("usage: check_vcd.py [--bits] FILE.vcd")
    main(args[0], split)
