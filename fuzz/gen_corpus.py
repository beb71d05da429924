#!/usr/bin/env python3
"""Seed corpus for fuzz/fuzz_ops.c.

Concept: each seed is a small, meaningful program in the op encoding that
fuzz_ops.c documents (first byte: RAM size index; then opcode + argument
bytes). The programs set up the transfers a driver or an emulator would
(block, demand, single, memory-to-memory, autoinitialize, decrement, cascade
masking, transfers past the end of RAM, devices that stall or pulse EOP) so
that the fuzzer starts from deep states instead of random port noise.

Usage: python3 fuzz/gen_corpus.py [OUTDIR]   (default: fuzz/corpus/ops next to this file)
Python 3 standard library only; the output is deterministic.
"""

import os
import random
import sys

# Opcodes (fuzz_ops.c, enum OP_*).
OUT, IN, OUT_ANY, IN_ANY, DREQ, ATTACH, DETACH, EOP, RUN, PROGRAM, COMMAND, SREQ, POKE, \
    MASK, RUN_BIG, OBSERVER = range(16)

# RAM size index (fuzz_ops.c, ram_sizes[]).
RAM_64K, RAM_68K, RAM_128K, RAM_1M, RAM_1052K, RAM_2M, RAM_4M, RAM_16M = range(8)

# Mode register (H9).
DEMAND, SINGLE, BLOCK, CASCADE = 0x00, 0x40, 0x80, 0xC0
VERIFY, WRITE, READ, ILLEGAL = 0x00, 0x04, 0x08, 0x0C
AUTOINIT, DECREMENT = 0x10, 0x20

# Device script byte 0 (take policy and TC-callback behaviour) and byte 1 (actions).
TAKE_ALL, TAKE_CHUNK, TAKE_RANDOM, TAKE_WILD = 0, 1, 2, 3
NULL_TO, NULL_FROM, NULL_TC, TC_DREQ, TC_EOP, TC_NESTED = 0x04, 0x08, 0x10, 0x20, 0x40, 0x80
A_EOP, A_DROP, A_OTHER_DREQ, A_NESTED, A_IO_READ, A_OTHER_EOP, A_ATTACH, A_SNAP = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)

# Selector of each DMA port for OP_OUT/OP_IN: 0x00-0x0F, 0x80-0x8F, 0xC0-0xDF.
def sel(port):
    if port <= 0x0F:
        return port
    if 0x80 <= port <= 0x8F:
        return 0x10 + port - 0x80
    assert 0xC0 <= port <= 0xDF
    return 0x20 + port - 0xC0


class Prog:
    def __init__(self, ram):
        self.b = bytearray([ram])

    def out(self, port, v):
        self.b += bytes([OUT, sel(port), v & 0xFF])
        return self

    def inp(self, port):
        self.b += bytes([IN, sel(port)])
        return self

    def out_any(self, port, v):
        self.b += bytes([OUT_ANY, port & 0xFF, port >> 8, v & 0xFF])
        return self

    def in_any(self, port):
        self.b += bytes([IN_ANY, port & 0xFF, port >> 8])
        return self

    def dreq(self, ch, on=True, huge=False):
        self.b += bytes([DREQ, (0x80 if huge else 0) | (0x10 if on else 0) | (ch & 0x0F)])
        return self

    def attach(self, ch, take=TAKE_ALL, actions=0, chunk=0, rate=7, huge=False):
        self.b += bytes([ATTACH, (0x80 if huge else 0) | (ch & 0x0F), take, actions, chunk, rate])
        return self

    def detach(self, ch):
        self.b += bytes([DETACH, ch & 0x0F])
        return self

    def eop(self, ch):
        self.b += bytes([EOP, ch & 0x0F])
        return self

    def run(self, budget=65536):
        n = max(1, min(budget, 65536)) - 1
        self.b += bytes([RUN, n & 0xFF, n >> 8])
        return self

    def run_big(self, kunits):
        self.b += bytes([RUN_BIG, kunits & 0xFF])
        return self

    def program(self, ch, mode, addr, page, count, unmask=True, clear_ff=True, mask_first=True):
        flags = (0 if unmask else 1) | (0 if clear_ff else 2) | (0 if mask_first else 4)
        self.b += bytes([PROGRAM, ch, mode, addr & 0xFF, (addr >> 8) & 0xFF, page,
                         count & 0xFF, (count >> 8) & 0xFF, flags])
        return self

    def command(self, ctl, v):
        self.b += bytes([COMMAND, ctl, v])
        return self

    def sreq(self, ch, on=True):
        self.b += bytes([SREQ, (ch & 3) | (4 if ch >= 4 else 0) | (8 if on else 0)])
        return self

    def poke(self, addr, length, seed):
        self.b += bytes([POKE, addr & 0xFF, (addr >> 8) & 0xFF, (addr >> 16) & 0xFF,
                         (length - 1) & 0xFF, seed & 0xFF])
        return self

    def fill(self, addr, length, seed=1):
        while length > 0:
            n = min(length, 256)
            self.poke(addr, n, seed)
            addr += n
            length -= n
            seed += 1
        return self

    def mask(self, ctl, kind, v=0):
        # kind: 0 single mask, 1 clear all masks, 2 write all masks, 3 master clear
        self.b += bytes([MASK, (kind << 1) | ctl, v])
        return self

    def observer(self, add=True):
        self.b += bytes([OBSERVER, 1 if add else 0])
        return self

    def status(self, ctl):
        return self.inp(0xD0 if ctl else 0x08)

    def read_regs(self, ch):
        hi = ch >= 4
        i = ch & 3
        ff = 0xD8 if hi else 0x0C
        a = 0xC0 + 4 * i if hi else 2 * i
        c = a + (2 if hi else 1)
        self.out(ff, 0).inp(a).inp(a).inp(c).inp(c)
        return self


def seeds():
    s = {}

    # Channel 2, block read: a 1514-byte frame from memory to the NIC.
    p = Prog(RAM_1M).fill(0x1000, 1514).attach(2)
    p.program(2, BLOCK | READ, 0x1000, 0x00, 1513).dreq(2).run().status(0).read_regs(2)
    s["ch2_block_read_frame"] = p

    # Channel 2, block started by a software request instead of DREQ (H12).
    p = Prog(RAM_128K).fill(0x0200, 300).attach(2)
    p.program(2, BLOCK | READ, 0x0200, 0x00, 299).sreq(2).run().status(0)
    s["ch2_block_software_request"] = p

    # Channel 2, single mode, DREQ held: one byte per grant (H22).
    p = Prog(RAM_64K).fill(0x8000, 64).attach(2)
    p.program(2, SINGLE | READ, 0x8000, 0x00, 63).dreq(2).run(10).run(100).status(0)
    s["ch2_single_dreq_held"] = p

    # Channel 2, demand mode, device takes 16 bytes per call and then stalls.
    p = Prog(RAM_1M).fill(0x4000, 512).attach(2, TAKE_CHUNK, chunk=15)
    p.program(2, DEMAND | READ, 0x4000, 0x03, 511).dreq(2).run().dreq(2).run().dreq(2).run()
    s["ch2_demand_chunked_stall"] = p

    # Channel 5, demand write: 128 KiB from the device into memory (H26: count 0xFFFF).
    p = Prog(RAM_2M).attach(5).program(5, DEMAND | WRITE, 0x0000, 0x02, 0xFFFF).dreq(5)
    p.run_big(200).status(1).read_regs(5)
    s["ch5_demand_write_128k"] = p

    # Channel 5, demand write decrementing (16-bit words in descending order).
    p = Prog(RAM_1M).attach(5).program(5, DEMAND | WRITE | DECREMENT, 0x0100, 0x04, 0x00FF)
    p.dreq(5).run().read_regs(5)
    s["ch5_demand_write_decrement"] = p

    # Channel 6, read across the 16-bit address wrap (H18: no carry into the page).
    p = Prog(RAM_1M).fill(0x21FF0, 32).fill(0x20000, 32).attach(6)
    p.program(6, DEMAND | READ, 0xFFF8, 0x02, 31).dreq(6).run().read_regs(6)
    s["ch6_read_address_wrap"] = p

    # Channel 7: page bit 0 is ignored on 16-bit channels (H17).
    p = Prog(RAM_1M).fill(0x60000, 64).attach(7)
    p.program(7, BLOCK | READ, 0x0000, 0x07, 15).dreq(7).run()
    s["ch7_odd_page"] = p

    # Channel 1, decrementing read: bytes offered in descending address order.
    p = Prog(RAM_128K).fill(0x10F00, 256).attach(1)
    p.program(1, DEMAND | READ | DECREMENT, 0x0FFF, 0x01, 255).dreq(1).run()
    s["ch1_read_decrement"] = p

    # Channel 3, decrement across address 0 (wrap down to 0xFFFF).
    p = Prog(RAM_1M).fill(0x50000, 16).fill(0x5FFF0, 16).attach(3)
    p.program(3, BLOCK | WRITE | DECREMENT, 0x0007, 0x05, 23).dreq(3).run()
    s["ch3_write_decrement_wrap"] = p

    # Memory-to-memory (H24): channel 0 source, channel 1 destination.
    p = Prog(RAM_128K).fill(0x1000, 256)
    p.command(0, 0x01).program(0, BLOCK | READ, 0x1000, 0x00, 255)
    p.program(1, BLOCK | WRITE, 0x3000, 0x00, 255).sreq(0).run().status(0).inp(0x0D)
    s["m2m_copy"] = p

    # Memory-to-memory with channel 0 address hold: one byte fills the destination.
    p = Prog(RAM_64K).poke(0x0100, 1, 7)
    p.command(0, 0x03).program(0, BLOCK | READ, 0x0100, 0x00, 63)
    p.program(1, BLOCK | WRITE | DECREMENT, 0x2000, 0x00, 63).sreq(0).run(20).run().inp(0x0D)
    s["m2m_address_hold"] = p

    # Memory-to-memory from DREQ on channel 0 in demand mode, channel 1 autoinit.
    p = Prog(RAM_128K).fill(0x0000, 128)
    p.command(0, 0x01).program(0, DEMAND | READ, 0x0000, 0x00, 127)
    p.program(1, BLOCK | WRITE | AUTOINIT, 0x8000, 0x01, 31, unmask=False)
    p.attach(0).dreq(0).run(100).run(100)
    s["m2m_dreq_autoinit"] = p

    # Autoinitialize, demand mode, DREQ held: the channel reloads at TC (H20).
    p = Prog(RAM_64K).fill(0x2000, 64).attach(3, TAKE_ALL, actions=A_SNAP)
    p.program(3, DEMAND | READ | AUTOINIT, 0x2000, 0x00, 63).dreq(3).run(1000).status(0)
    p.read_regs(3)
    s["ch3_autoinit_ring"] = p

    # Autoinit on a 16-bit write channel with a device that pulses EOP (H25).
    p = Prog(RAM_1M).attach(6, TAKE_CHUNK, actions=A_EOP, chunk=8, rate=1)
    p.program(6, DEMAND | WRITE | AUTOINIT, 0x1000, 0x03, 1023)
    for _ in range(8):
        p.dreq(6).run(5000)
    s["ch6_autoinit_eop"] = p

    # Regression (fuzzer finding): a device that takes nothing and pulses EOP on an
    # autoinitialize channel with DREQ held used to be granted again forever.
    p = Prog(RAM_64K).attach(2, TAKE_CHUNK, actions=A_EOP, chunk=0, rate=7)
    p.program(2, DEMAND | READ | AUTOINIT, 0x100, 0, 15).dreq(2).run(100).dreq(2).run(100)
    s["regress_eop_zero_units_autoinit"] = p
    p = Prog(RAM_64K).attach(5, TAKE_CHUNK | TC_DREQ, actions=A_EOP, chunk=0, rate=7)
    p.program(5, BLOCK | WRITE | AUTOINIT, 0x100, 0, 15).sreq(5).run(100).dreq(5).run(100)
    s["regress_eop_zero_units_block"] = p

    # External EOP from the device in block mode, without autoinit.
    p = Prog(RAM_128K).fill(0x0, 200).attach(2, TAKE_CHUNK, actions=A_EOP, chunk=9, rate=2)
    p.program(2, BLOCK | READ, 0x0000, 0x00, 199).dreq(2).run().status(0).read_regs(2)
    s["ch2_block_eop"] = p

    # External EOP outside service is ignored (and traced).
    p = Prog(RAM_64K).attach(2).program(2, DEMAND | READ, 0x100, 0, 99)
    p.eop(2).eop(4).eop(9).dreq(2).run(50).eop(2).run()
    s["eop_outside_service"] = p

    # Cascade masking (H4): masking channel 4 starves channels 0-3.
    p = Prog(RAM_64K).fill(0x0, 64).attach(2).program(2, DEMAND | READ, 0, 0, 63).dreq(2)
    p.out(0xD4, 0x04).run().out(0xD4, 0x00).run()
    s["cascade_mask_ch4"] = p

    # Channel 4 taken out of cascade mode: channels 0-3 never get the bus.
    p = Prog(RAM_64K).attach(1).program(1, BLOCK | WRITE, 0x400, 0, 31).dreq(1)
    p.out(0xD6, DEMAND | READ | 0).run().out(0xD6, CASCADE | 0).run()
    s["ch4_not_cascade"] = p

    # Cascade mode on a device channel moves nothing (H15).
    p = Prog(RAM_64K).attach(5).program(5, CASCADE, 0, 0, 10).dreq(5).run()
    s["cascade_on_ch5"] = p

    # Controller disable (command bit 2) on either controller.
    p = Prog(RAM_64K).attach(2).attach(5).program(2, DEMAND | READ, 0, 0, 31)
    p.program(5, DEMAND | WRITE, 0x800, 0, 31).dreq(2).dreq(5)
    p.command(0, 0x04).run().command(1, 0x04).run().command(0, 0).run().command(1, 0).run()
    s["controller_disable"] = p

    # Fixed and rotating priority with several channels requesting (H23).
    p = Prog(RAM_1M).fill(0, 256)
    for ch in (0, 1, 2, 3, 5, 6, 7):
        p.attach(ch)
        p.program(ch, SINGLE | (READ if ch & 1 else WRITE), 0x1000 * ch, 1, 15)
    for ch in (0, 1, 2, 3, 5, 6, 7):
        p.dreq(ch)
    p.run(20).command(0, 0x10).command(1, 0x10).run(40).run()
    s["priority_rotating"] = p

    # Verify transfers and illegal transfer type 11 (H15, H21).
    p = Prog(RAM_64K).attach(2).attach(6)
    p.program(2, BLOCK | VERIFY, 0x100, 0, 99).program(6, DEMAND | ILLEGAL, 0x100, 0, 99)
    p.dreq(2).dreq(6).run().status(0).status(1)
    s["verify_and_illegal"] = p

    # Transfers past the end of a 64 KiB RAM: reads see 0xFF, writes are lost.
    p = Prog(RAM_64K).attach(2).attach(5)
    p.program(2, BLOCK | READ, 0xFF00, 0x00, 511).program(5, BLOCK | WRITE, 0x0000, 0x10, 511)
    p.dreq(2).dreq(5).run().run()
    s["beyond_ram"] = p

    # 16 MiB RAM, page 0xFF: the top of the ISA address space.
    p = Prog(RAM_16M).fill(0xFFFF00, 256).attach(2).attach(7)
    p.program(2, BLOCK | READ, 0xFF00, 0xFF, 255).program(7, BLOCK | WRITE, 0xFF80, 0xFE, 127)
    p.dreq(2).dreq(7).run()
    s["top_of_isa"] = p

    # RAM that ends inside a page (68 KiB): a burst straddles the end of RAM.
    p = Prog(RAM_68K).fill(0x10F00, 256).attach(3).attach(6)
    p.program(3, DEMAND | READ, 0x0F80, 0x01, 0x1FF).program(6, DEMAND | WRITE, 0x87F0, 0, 63)
    p.dreq(3).dreq(6).run()
    s["ram_end_inside_page"] = p

    # Devices that return short, zero, odd and over-long counts; DREQ re-asserted.
    p = Prog(RAM_1M).fill(0, 1024).attach(2, TAKE_WILD).attach(5, TAKE_RANDOM)
    p.program(2, DEMAND | READ, 0, 0, 1023).program(5, BLOCK | WRITE, 0x1000, 0, 511)
    for _ in range(6):
        p.dreq(2).dreq(5).run(300)
    s["short_devices"] = p

    # Devices that call back: nested run, DREQ changes, port reads, attach attempts.
    p = Prog(RAM_128K).fill(0, 512)
    p.attach(1, TAKE_ALL, actions=A_NESTED | A_OTHER_DREQ | A_IO_READ | A_ATTACH | A_SNAP)
    p.attach(3, TAKE_CHUNK, actions=A_DROP | A_OTHER_EOP, chunk=3)
    p.program(1, DEMAND | READ, 0, 0, 255).program(3, DEMAND | WRITE, 0x4000, 0, 255)
    p.dreq(1).dreq(3).run(2000).dreq(3).run(2000)
    s["callbacks_reenter"] = p

    # TC callbacks that re-assert DREQ, pulse EOP (ignored) and nest a run.
    p = Prog(RAM_64K).attach(2, TAKE_ALL | TC_DREQ | TC_EOP | TC_NESTED)
    p.program(2, BLOCK | WRITE | AUTOINIT, 0x100, 0, 15).dreq(2).run(100)
    s["tc_callback_reenter"] = p

    # Devices without a to_device / from_device / terminal_count callback.
    p = Prog(RAM_64K).fill(0, 64).attach(2, TAKE_ALL | NULL_TO).attach(6, TAKE_ALL | NULL_FROM)
    p.attach(3, TAKE_ALL | NULL_TC)
    p.program(2, BLOCK | READ, 0, 0, 63).program(6, BLOCK | WRITE, 0x100, 0, 63)
    p.program(3, BLOCK | WRITE, 0x800, 0, 63).dreq(2).dreq(6).dreq(3).run()
    s["null_callbacks"] = p

    # Master clear in the middle of a block transfer (H14), then resume after unmask.
    p = Prog(RAM_64K).fill(0, 256).attach(2).program(2, BLOCK | READ, 0, 0, 255).dreq(2)
    p.run(100).mask(0, 3).run().mask(0, 1).run().read_regs(2)
    s["master_clear_mid_block"] = p

    # A mode write in the middle of a block transfer ends its latch.
    p = Prog(RAM_64K).fill(0, 256).attach(2).program(2, BLOCK | READ, 0, 0, 255).sreq(2)
    p.run(50).out(0x0B, DEMAND | READ | 2).run().dreq(2).run()
    s["mode_write_mid_block"] = p

    # Software request in demand and single mode shows in status but moves nothing.
    p = Prog(RAM_64K).attach(2).attach(5).program(2, DEMAND | READ, 0, 0, 15)
    p.program(5, SINGLE | WRITE, 0, 0, 15).sreq(2).sreq(5).run().status(0).status(1)
    p.sreq(2, False).sreq(5, False).status(0).status(1)
    s["sreq_non_block"] = p

    # Masked channel with a software request in block mode still runs (H12).
    p = Prog(RAM_64K).fill(0, 64).attach(1).program(1, BLOCK | READ, 0, 0, 63, unmask=False)
    p.sreq(1).run().status(0)
    s["sreq_masked_block"] = p

    # Flip-flop misuse: no clear before programming, reads in between.
    p = Prog(RAM_64K).inp(0x00).attach(2)
    p.program(2, DEMAND | READ, 0x1234, 0, 0x0056, clear_ff=False).dreq(2).run().read_regs(2)
    s["flipflop_misuse"] = p

    # 64 KiB block transfer on channel 2 (count 0xFFFF, H26).
    p = Prog(RAM_1M).fill(0x30000, 512).attach(2)
    p.program(2, BLOCK | READ, 0x0000, 0x03, 0xFFFF).dreq(2).run_big(70)
    s["ch2_block_64k"] = p

    # Sweep: write and read every DMA port, decoded or not.
    p = Prog(RAM_64K)
    rnd = random.Random(1)
    ports = list(range(0x00, 0x10)) + list(range(0x80, 0x90)) + list(range(0xC0, 0xE0))
    for port in ports:
        if port in (0x0D, 0xDA):
            continue
        p.out(port, rnd.randrange(256))
        p.inp(port)
    p.mask(0, 3).mask(1, 3)
    s["port_sweep"] = p

    # Ports nothing decodes, and odd ports of controller 2.
    p = Prog(RAM_64K)
    for port in (0x10, 0x7F, 0x90, 0xBF, 0xC1, 0xDF, 0xE0, 0x378, 0xFFFF):
        p.out_any(port, 0x5A).in_any(port)
    s["undecoded_ports"] = p

    # DREQ on channels that take no device, attach/detach edge cases.
    p = Prog(RAM_64K).dreq(4).dreq(8).dreq(15).dreq(3, huge=True).attach(4).attach(9)
    p.attach(2, huge=True).detach(2).attach(2).attach(2).detach(2).detach(4).detach(2)
    p.run()
    s["bad_channels"] = p

    # Detach while DREQ is held, then DMA without a device (0xFF written, data discarded).
    p = Prog(RAM_64K).attach(2).attach(6).program(2, DEMAND | WRITE, 0x100, 0, 63)
    p.program(6, DEMAND | READ, 0x100, 0, 63).dreq(2).dreq(6).run(10).detach(2).detach(6)
    p.dreq(2).dreq(6).run()
    s["detach_then_no_device"] = p

    # Observers added and removed while transfers run.
    p = Prog(RAM_64K).observer().observer().attach(2).program(2, DEMAND | READ, 0, 0, 31)
    p.dreq(2).run(8).observer(False).run().observer(False).observer(False)
    s["observers"] = p

    # Two transfers on both controllers at once; status reads clear TC bits (H11).
    p = Prog(RAM_2M).fill(0x10000, 512).attach(0).attach(5)
    p.program(0, DEMAND | READ, 0x0000, 0x01, 511).program(5, DEMAND | WRITE, 0x0000, 0x08, 255)
    p.dreq(0).dreq(5).run(300).status(0).status(1).run().status(0).status(0).status(1)
    s["both_controllers"] = p

    # All-mask and clear-mask commands on both controllers.
    p = Prog(RAM_64K).attach(2).attach(5).program(2, DEMAND | READ, 0, 0, 15)
    p.program(5, DEMAND | READ, 0, 0, 15).dreq(2).dreq(5).mask(0, 2, 0x0F).mask(1, 2, 0x0F)
    p.run().mask(1, 1).run().mask(0, 1).run()
    s["all_mask_clear_mask"] = p

    # Re-arming a finished non-autoinit channel: unmask after TC moves 65536 more units.
    p = Prog(RAM_128K).attach(2).program(2, DEMAND | WRITE, 0x0000, 0x01, 3).dreq(2).run()
    p.out(0x0A, 0x02).run_big(70)
    s["rearm_after_tc"] = p

    # Single mode without observers takes a fast path in the engine; the fuzzer's twin machine
    # (no observer) must agree with the observed one. Exits: wrap, end of RAM, TC, EOP, short
    # returns, DREQ changes from callbacks, budget.
    p = Prog(RAM_68K).fill(0x10F00, 256).attach(2).attach(3, TAKE_WILD, actions=A_EOP | A_DROP)
    p.program(2, SINGLE | READ | DECREMENT, 0x0004, 0x01, 40).program(3, SINGLE | WRITE, 0x0FF0, 1, 40)
    p.dreq(2).dreq(3).run(7).run(100).dreq(3).run(100).dreq(3).run()
    s["single_fast_exits"] = p
    p = Prog(RAM_1M).fill(0x3FFF0, 16).attach(6, TAKE_ALL, actions=A_OTHER_DREQ | A_SNAP)
    p.attach(1, TAKE_CHUNK, chunk=1, actions=A_NESTED | A_IO_READ)
    p.program(6, SINGLE | READ | AUTOINIT, 0xFFF8, 0x02, 15).program(1, SINGLE | WRITE, 0xFFFE, 0, 7)
    p.dreq(6).dreq(1).run(3).run(50).command(1, 0x10).run(50).command(1, 0).run(50)
    s["single_fast_wrap_autoinit"] = p

    # 16-bit device-to-memory bursts are cut into 16 KiB pieces; a device that stalls inside.
    p = Prog(RAM_2M).attach(7, TAKE_RANDOM).program(7, DEMAND | WRITE, 0x1000, 0x04, 0x9000)
    for _ in range(6):
        p.dreq(7).run_big(40)
    s["ch7_write_pieces_short"] = p

    # Random but well-formed programs, for variety.
    rnd = random.Random(2024)
    for k in range(8):
        p = Prog(rnd.randrange(8))
        for _ in range(rnd.randrange(3, 8)):
            ch = rnd.choice((0, 1, 2, 3, 5, 6, 7))
            p.attach(ch, rnd.randrange(256), rnd.randrange(256), rnd.randrange(8), rnd.randrange(8))
            mode = rnd.choice((DEMAND, SINGLE, BLOCK)) | rnd.choice((READ, WRITE, VERIFY))
            mode |= rnd.choice((0, AUTOINIT)) | rnd.choice((0, DECREMENT))
            p.program(ch, mode, rnd.randrange(65536), rnd.randrange(32), rnd.randrange(2048))
            p.dreq(ch)
            if rnd.random() < 0.3:
                p.command(rnd.randrange(2), rnd.choice((0x00, 0x10, 0x01, 0x03)))
            if rnd.random() < 0.3:
                p.sreq(ch)
        for _ in range(3):
            p.run(rnd.randrange(1, 5000))
        s["random_%d" % k] = p
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "ops")
    os.makedirs(out, exist_ok=True)
    for name, prog in sorted(seeds().items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes(prog.b))
    print("wrote %d seeds to %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
