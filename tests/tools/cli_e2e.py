#!/usr/bin/env python3
"""End-to-end tests of the ndisdma command (issue 7, sections 3 and 5).

Concept: each CASE runs build/ndisdma as a user would, in a fresh temporary
directory, and checks its exit code (the documented CLI_EXIT_* values),
its messages, and the files it leaves: outputs of a good run are valid
(tshark, tests/trace/check_vcd.py, check_jsonl.py, check_sigrok.sh, a
libpcap frame-by-frame comparison), and a bad run leaves no file behind
(not even a temporary one). Captures come from pcap_gen (libpcap).

Usage: cli_e2e.py --bin DIR --src DIR CASE
  --bin: the build directory (ndisdma, tests/pcap_gen, tests/pcap_cmp)
  --src: the source tree (tests/trace/*.py, check_sigrok.sh)
Exit 0 = pass, 1 = fail (message on stderr); a check whose tool is absent
prints SKIP with the reason and passes.
Environment: NDISDMA_CLI_WRAPPER, a command put before every ndisdma run
(for example "valgrind -q --error-exitcode=99 --leak-check=full"): a
wrapper that fails changes the exit code, so the check fails.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INPUT, EXIT_VERIFIER, EXIT_OUTPUT = 0, 1, 2, 3, 4, 5


class Ctx:
    def __init__(self, args, tmp):
        self.bin = os.path.abspath(args.bin)
        self.src = os.path.abspath(args.src)
        self.tmp = tmp
        self.ndisdma = os.path.join(self.bin, "ndisdma")
        self.wrapper = shlex.split(os.environ.get("NDISDMA_CLI_WRAPPER", ""))

    def run(self, *args, expect=None):
        p = subprocess.run(self.wrapper + [self.ndisdma] + list(args), cwd=self.tmp,
                           capture_output=True, text=True, timeout=600)
        if expect is not None and p.returncode != expect:
            fail("ndisdma %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s" %
                 (" ".join(args), p.returncode, expect, p.stdout, p.stderr))
        return p

    def path(self, name):
        return os.path.join(self.tmp, name)

    def gen(self):
        d = self.path("in")
        os.mkdir(d)
        check_call([os.path.join(self.bin, "tests", "pcap_gen"), d])
        return d

    def files(self):
        out = set()
        for root, _, names in os.walk(self.tmp):
            if os.path.basename(root) == "in":
                continue
            for n in names:
                out.add(os.path.relpath(os.path.join(root, n), self.tmp))
        return out


def fail(msg):
    sys.stderr.write("FAIL: " + msg + "\n")
    sys.exit(1)


def check_call(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        fail("%s: exit %d\n%s%s" % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return p


def summary_value(out, key):
    for line in out.splitlines():
        if line.strip().startswith(key):
            return line.split()[1]
    fail("no '%s' line in the summary:\n%s" % (key, out))


# ---- cases ----

def case_usage_errors(c):
    """Every bad option: exit 2, one message naming the option, no output."""
    bad = [
        (["--bogus"], "unknown option '--bogus'"),
        (["--frames"], "--frames needs a value"),
        (["--frames", "0"], "--frames"),
        (["--frames", "abc"], "--frames"),
        (["--frames", "-5"], "--frames"),
        (["--seed", "x1"], "--seed"),
        (["--channel", "4"], "channel 4 is impossible"),
        (["--channel", "8"], "channel 8 is impossible"),
        (["--channel", "99"], "is impossible"),
        (["--channel", "two"], "--channel"),
        (["--placement", "middle"], "--placement: 'middle'"),
        (["--verify", "loose"], "--verify: 'loose'"),
        (["--rate", "fast"], "--rate: 'fast'"),
        (["--rate", "10X"], "--rate: '10X'"),
        (["--rate", "-1"], "--rate"),
        (["--window", "0"], "--window"),
        (["--pcap-out="], "--pcap-out: empty value"),
        (["--pcap-out", "a.pcap", "--trace", "a.pcap"], "name the same file"),
        (["stray"], "unexpected argument 'stray'"),
        (["--fault", "nonsense:nth=1"], "unknown fault 'nonsense'"),
        (["--fault", "flush_adapter_buffers"], "needs a trigger"),
        (["--fault", "NdisAllocateMdl:nth=1,channel=3"], "bad 'channel=3'"),
    ]
    for args, msg in bad:
        p = c.run("run", "--vcd", "never.vcd", *args, expect=EXIT_USAGE)
        if msg not in p.stderr:
            fail("run %s: stderr lacks %r:\n%s" % (args, msg, p.stderr))
        if p.stderr.count("\n") != 1:
            fail("run %s: expected one line on stderr:\n%s" % (args, p.stderr))
        if p.stdout:
            fail("run %s: printed on stdout:\n%s" % (args, p.stdout))
    c.run("frobnicate", expect=EXIT_USAGE)
    c.run(expect=EXIT_USAGE)
    c.run("help", "nothing", expect=EXIT_USAGE)
    if c.files():
        fail("usage errors left files: %s" % sorted(c.files()))
    print("usage errors: %d cases, exit 2, one message each, no file" % len(bad))


def case_help(c):
    """--help of the command and of each subcommand, --version: exit 0."""
    for args in (["--help"], ["help"], ["run", "--help"], ["help", "run"], ["bench", "--help"],
                 ["help", "bench"]):
        p = c.run(*args, expect=EXIT_OK)
        if "usage: ndisdma" not in p.stdout:
            fail("%s: no usage line" % args)
    p = c.run("run", "--help", expect=EXIT_OK)
    for word in ("Exit status", "--pcap-in", "--vcd-bits", "--placement", "--rate", "  4  "):
        if word not in p.stdout:
            fail("run --help lacks %r" % word)
    p = c.run("--version", expect=EXIT_OK)
    if not p.stdout.startswith("ndisdma "):
        fail("--version: %r" % p.stdout)
    print("help and version: OK")


def case_builtin(c):
    """`ndisdma run` with no argument: every frame back, exit 0, summary."""
    p = c.run("run", expect=EXIT_OK)
    out = p.stdout
    sent, received = summary_value(out, "sent"), summary_value(out, "received")
    if sent != "64" or received != "64":
        fail("sent %s received %s, expected 64 and 64" % (sent, received))
    for word in ("all equal to those sent, in order", "virtual time", "transfers direct",
                 "bounced", "interrupts", "verifier      0 findings"):
        if word not in out:
            fail("summary lacks %r:\n%s" % (word, out))
    if not out.splitlines()[-1].startswith("OK: 64 frames"):
        fail("last line: %r" % out.splitlines()[-1])
    if p.stderr:
        fail("stderr not empty: %r" % p.stderr)
    q = c.run("run", "--quiet", expect=EXIT_OK)
    if q.stdout or q.stderr:
        fail("--quiet printed something")
    print(out, end="")


def case_options(c):
    """Placements, channels (8- and 16-bit), rates, verify modes: exit 0."""
    runs = [
        (["--placement", "high"], lambda o: "0 transfers direct" in o),
        (["--placement", "scattered", "--seed", "7"], lambda o: "bounced" in o),
        (["--placement", "low"], lambda o: " 0 bounced" in o),
        (["--channel", "0"], None), (["--channel", "1"], None), (["--channel", "5"], None),
        (["--channel", "7", "--placement", "high"], None),
        (["--rate", "0"], None), (["--rate", "100M"], None), (["--rate=1G"], None),
        (["--verify", "strict"], None), (["--verify", "off"], None),
        (["--window", "1"], None), (["--seed", "0xDEADBEEF", "--frames", "100"], None),
    ]
    for args, check in runs:
        p = c.run("run", "--frames", "24", *args, expect=EXIT_OK)
        if check and not check(p.stdout):
            fail("run %s: summary check failed:\n%s" % (args, p.stdout))
    print("options: %d runs, exit 0" % len(runs))


def case_pcap_roundtrip(c):
    """--pcap-in -> --pcap-out: the same frames, byte for byte, in order."""
    d = c.gen()
    good = os.path.join(d, "good.pcap")
    c.run("run", "--pcap-in", good, "--pcap-out", "out.pcap", expect=EXIT_OK)
    check_call([os.path.join(c.bin, "tests", "pcap_cmp"), good, c.path("out.pcap")])
    # --frames N takes the first N frames of a capture
    p = c.run("run", "--pcap-in", good, "--frames", "5", expect=EXIT_OK)
    if summary_value(p.stdout, "received") != "5":
        fail("--frames 5 with --pcap-in: %s" % p.stdout)
    # the built-in mix round trip, placement high (bounced) and a 16-bit channel
    c.run("run", "--pcap-out", "mix.pcap", "--placement", "high", "--channel", "6",
          expect=EXIT_OK)
    c.run("run", "--pcap-in", "mix.pcap", "--pcap-out", "mix2.pcap", "--placement",
          "scattered", expect=EXIT_OK)
    check_call([os.path.join(c.bin, "tests", "pcap_cmp"), c.path("mix.pcap"),
                c.path("mix2.pcap")])


def case_tshark(c):
    """tshark reads --pcap-out as Ethernet with the right frame count."""
    if not shutil.which("tshark"):
        print("SKIP: tshark not installed (Debian package tshark)")
        return
    c.run("run", "--frames", "40", "--pcap-out", "out.pcap", expect=EXIT_OK)
    p = subprocess.run(["tshark", "-r", c.path("out.pcap"), "-T", "fields", "-e", "frame.len",
                        "-e", "eth.type", "-e", "frame.protocols"],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail("tshark -r failed: %s" % p.stderr)
    rows = [r.split("\t") for r in p.stdout.splitlines() if r]
    if len(rows) != 40:
        fail("tshark sees %d frames, expected 40" % len(rows))
    for r in rows:
        if r[1] != "0x88b5" or not r[2].startswith("eth:ethertype"):
            fail("tshark: not Ethernet II with EtherType 0x88b5: %r" % r)
    p = subprocess.run(["capinfos", "-c", "-E", c.path("out.pcap")], capture_output=True,
                       text=True) if shutil.which("capinfos") else None
    if p is not None and "Ethernet" not in p.stdout:
        fail("capinfos: %s" % p.stdout)
    print("tshark: 40 Ethernet II frames, EtherType 0x88b5")


def case_vcd(c):
    """--vcd checked by check_vcd.py; --vcd-bits by check_vcd.py --bits and sigrok-cli."""
    trace_dir = os.path.join(c.src, "tests", "trace")
    d = c.gen()
    c.run("run", "--frames", "6", "--vcd", "run.vcd", expect=EXIT_OK)
    check_call([sys.executable, os.path.join(trace_dir, "check_vcd.py"), c.path("run.vcd")])
    # Small and fast for sigrok-cli (it reads one sample per ns): two short frames, no line rate.
    c.run("run", "--pcap-in", os.path.join(d, "small.pcap"), "--rate", "0", "--channel", "0",
          "--vcd-bits", "run.bits.vcd", "--vcd", "run2.vcd", expect=EXIT_OK)
    check_call([sys.executable, os.path.join(trace_dir, "check_vcd.py"), "--bits",
                c.path("run.bits.vcd")])
    check_call([sys.executable, os.path.join(trace_dir, "check_vcd.py"), c.path("run2.vcd")])
    check_call(["sh", os.path.join(trace_dir, "check_sigrok.sh"), c.path("run.bits.vcd")])


def case_trace(c):
    """--trace: JSON Lines checked by check_jsonl.py; same seed, same bytes."""
    trace_dir = os.path.join(c.src, "tests", "trace")
    c.run("run", "--frames", "10", "--trace", "a.jsonl", "--seed", "3", expect=EXIT_OK)
    check_call([sys.executable, os.path.join(trace_dir, "check_jsonl.py"), c.path("a.jsonl")])
    c.run("run", "--frames", "10", "--trace", "b.jsonl", "--vcd", "b.vcd", "--seed", "3",
          expect=EXIT_OK)
    with open(c.path("a.jsonl"), "rb") as fa, open(c.path("b.jsonl"), "rb") as fb:
        if fa.read() != fb.read():
            fail("two runs with the same seed wrote different traces")
    print("trace: valid JSON Lines, deterministic")


def case_bad_inputs(c):
    """Every bad capture: exit 3, a message naming the file, no output left."""
    d = c.gen()
    cases = [
        ("missing.pcap", "cannot read the capture"),
        ("notpcap.pcap", "cannot read the capture"),
        ("truncated.pcap", "truncated"),
        ("raw.pcap", "is not Ethernet"),
        ("big.pcap", "frame 2 is 1515 bytes, longer than 1514"),
        ("empty.pcap", "frame 2 is empty"),
        ("partial.pcap", "frame 2 was captured partially"),
        ("noframes.pcap", "holds no frames"),
    ]
    for name, msg in cases:
        f = os.path.join(d, name)
        p = c.run("run", "--pcap-in", f, "--pcap-out", "out.pcap", "--vcd", "out.vcd",
                  "--trace", "out.jsonl", expect=EXIT_INPUT)
        if f not in p.stderr or msg not in p.stderr:
            fail("%s: stderr lacks the file name or %r:\n%s" % (name, msg, p.stderr))
        if p.stderr.count("\n") != 1 or p.stdout:
            fail("%s: expected one line on stderr and nothing on stdout" % name)
        if c.files():
            fail("%s: files left behind: %s" % (name, sorted(c.files())))
    print("bad inputs: %d captures, exit 3, nothing written" % len(cases))


def case_output_error(c):
    """An output that cannot be created: exit 5, no other output left."""
    p = c.run("run", "--trace", "t.jsonl", "--pcap-out", "no/such/dir/out.pcap",
              expect=EXIT_OUTPUT)
    if "no/such/dir/out.pcap" not in p.stderr:
        fail("message lacks the file: %s" % p.stderr)
    if c.files():
        fail("files left behind: %s" % sorted(c.files()))
    # a directory or a device is never replaced
    os.mkdir(c.path("adir"))
    p = c.run("run", "--pcap-out", "adir", expect=EXIT_OUTPUT)
    if "not a regular file" not in p.stderr:
        fail("directory as output: %s" % p.stderr)
    c.run("run", "--trace", "/dev/null", expect=EXIT_OUTPUT)
    os.rmdir(c.path("adir"))
    # an existing output is replaced whole on success and kept on a usage error
    with open(c.path("keep.pcap"), "w") as f:
        f.write("old")
    c.run("run", "--pcap-out", "keep.pcap", "--channel", "4", expect=EXIT_USAGE)
    with open(c.path("keep.pcap")) as f:
        if f.read() != "old":
            fail("a usage error changed an existing output")
    print("output errors: exit 5, nothing written; existing files untouched")


def case_faults(c):
    """Injected faults reach the exit codes: the adapter does not start (1, no
    output kept), frames lost to failed flushes (1 or 4, outputs kept)."""
    p = c.run("run", "--fault", "io_get_dma_adapter:nth=1", "--pcap-out", "a.pcap",
              expect=EXIT_FAILED)
    if "FAILED: ndisdma_adapter_start" not in p.stdout or "register-refused" not in p.stdout:
        fail("adapter start failure not reported:\n%s" % p.stdout)
    if c.files():
        fail("a run that never started left files: %s" % sorted(c.files()))
    p = c.run("run", "--frames", "30", "--fault", "flush_adapter_buffers:every=10",
              "--pcap-out", "b.pcap")
    if p.returncode not in (EXIT_FAILED, EXIT_VERIFIER):
        fail("flush faults: exit %d\n%s" % (p.returncode, p.stdout))
    if "injected (1 armed)" not in p.stdout or "different" in p.stdout:
        fail("flush faults: summary:\n%s" % p.stdout)
    if not os.path.exists(c.path("b.pcap")):
        fail("the capture of a failed run was not kept")
    print("faults: adapter start failure exit 1; lost frames exit %d" % p.returncode)
    device_faults(c)


def device_faults(c):
    """A device that stops moving data (device_stall, device_short_transfer)
    used to leave the sample miniport's one DMA channel busy forever and its
    MiniportPause pending (exit 4). Its DMA watchdog now aborts the transfer:
    a stalled receive is retried (the card keeps the frame), a stalled
    transmit fails and its frame is lost; the run ends with 0 or 1 and the
    verifier finds nothing."""
    def check(args, expect, what):
        p = c.run("run", *args, expect=expect)
        if "NdisMPauseComplete" in p.stdout or "verifier      0 findings" not in p.stdout:
            fail("%s: the driver hung or broke a rule:\n%s" % (what, p.stdout))
        wrong = "different" in p.stdout or (
            "unexpected" in p.stdout and "; 0 unexpected" not in p.stdout)
        if wrong:
            fail("%s: frames came back wrong:\n%s" % (what, p.stdout))
        return p
    # The third grant is the first frame's receive: retried, every frame comes back.
    p = check(["--fault", "device_stall:nth=3"], EXIT_OK, "stall of a receive")
    if "faults        1 injected" not in p.stdout:
        fail("stall of a receive: summary:\n%s" % p.stdout)
    # The first grant is the first frame's transmit: aborted, that frame is lost.
    p = check(["--fault", "device_stall:nth=1"], EXIT_FAILED, "stall of a transmit")
    if "lost          1 frame" not in p.stdout or "FAILED: 1 of 64 frames" not in p.stdout:
        fail("stall of a transmit: summary:\n%s" % p.stdout)
    # Short transfers at every fifth grant on 8- and 16-bit channels: the transmits hit are
    # lost, everything else comes back in order.
    for ch in ("3", "5"):
        p = check(["--frames", "30", "--channel", ch, "--fault",
                   "device_short_transfer:every=5"], EXIT_FAILED, "short transfers")
        if "lost" not in p.stdout:
            fail("short transfers: summary:\n%s" % p.stdout)
    # Every grant stalls: nothing comes back, and the summary says so (the completions of
    # the teardown's pause must not start new sends on the pausing adapter).
    p = check(["--frames", "40", "--fault", "device_stall:every=1"], EXIT_FAILED,
              "every grant stalled")
    if "FAILED: 40 of 40 frames did not come back" not in p.stdout:
        fail("every grant stalled: summary:\n%s" % p.stdout)
    print("device faults: stalled receive retried (exit 0), stalled transmit lost (exit 1), "
          "short transfers (exit 1), all stalled (exit 1); no hang, no verifier finding")


def case_interrupt(c):
    """SIGINT during a run: exit 130, the temporary outputs are removed."""
    import signal
    import time
    p = subprocess.Popen(c.wrapper + [c.ndisdma, "run", "--frames", "50000000", "--pcap-out",
                                      "x.pcap", "--trace", "x.jsonl"],
                         cwd=c.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not any(f.startswith(".x.jsonl.") for f in os.listdir(c.tmp)):
        if time.time() > deadline or p.poll() is not None:
            p.kill()
            fail("the run never created its temporary trace file")
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    if p.returncode != 130 or "interrupted" not in err:
        fail("SIGINT: exit %d, stderr %r" % (p.returncode, err))
    if c.files():
        fail("an interrupted run left files: %s" % sorted(c.files()))
    print("interrupt: exit 130, %s" % err.strip())


def case_bench(c):
    """`ndisdma bench`: lists the e2e benchmarks and runs one (no timing check)."""
    p = c.run("bench", "--list", expect=EXIT_OK)
    for name in ("e2e_frames_64", "e2e_frames_1514", "dma_block_64k"):
        if name not in p.stdout.split():
            fail("bench --list lacks %s" % name)
    c.run("bench", "--filter", "no-such-benchmark", expect=EXIT_USAGE)
    p = c.run("bench", "--quick", "--filter", "e2e_frames_64", expect=EXIT_OK)
    import json
    obj = json.loads(p.stdout.strip().splitlines()[-1])
    if obj["name"] != "e2e_frames_64" or obj["unit"] != "frames/s" or not obj["value"] > 0:
        fail("bench line: %r" % obj)
    print("bench: %s" % p.stdout.strip())


def case_man(c):
    """The man page renders without warnings."""
    page = os.path.join(c.src, "tools", "ndisdma.1")
    if not shutil.which("groff"):
        print("SKIP: groff not installed")
        return
    p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True,
                       text=True)
    if p.returncode != 0 or p.stderr:
        fail("groff: %s" % p.stderr)
    p = subprocess.run(["groff", "-man", "-Tascii", "-P", "-cbou", page], capture_output=True,
                       text=True)
    text = p.stdout
    for word in ("EXIT STATUS", "--pcap-in FILE", "--vcd-bits FILE", "EXAMPLES", "ndisdma run"):
        if word not in text:
            fail("man page lacks %s" % word)
    print("man page: renders cleanly")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ndisdma-cli-")
    try:
        CASES[args.case](Ctx(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS: %s" % args.case)


if __name__ == "__main__":
    main()
