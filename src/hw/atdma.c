/* The PC/AT DMA pair: see atdma.h. */
#include "hw/atdma.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

const uint8_t nd_at_page_index[8] = {0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};

void nd_atdma_init(nd_atdma *d)
{
    memset(d, 0, sizeof *d);
    nd_i8237_init(&d->ctl[0], 0);
    nd_i8237_init(&d->ctl[1], 1);
    /* H5: the BIOS puts channel 4 in cascade mode and unmasks it. */
    d->ctl[1].mode[0] = MODE_CASCADE | 0;
    nd_i8237_update_modes(&d->ctl[1]);
    d->ctl[1].mask = 0x0E;
}

bool nd_atdma_slave_hrq(const nd_atdma *d)
{
    return nd_i8237_ready(&d->ctl[0]) != 0;
}

void nd_atdma_sync_cascade(nd_atdma *d)
{
    if (nd_atdma_slave_hrq(d))
        d->ctl[1].dreq |= 1;
    else
        d->ctl[1].dreq &= (uint8_t)~1u;
}

int nd_atdma_arbitrate_full(const nd_atdma *d, bool *alone)
{
    const nd_i8237 *m = &d->ctl[1], *s = &d->ctl[0];
    if (m->command & CMD_DISABLE)
        return -1;
    /* H4, H15: the master's channel 0 moves nothing itself; it passes the
       slave's request through only in cascade mode and unmasked. A channel
       with no request (hardware, software or block latch) is not ready: the
       full test of the master's own channels, usually idle, is skipped when
       none has one. */
    const uint8_t own = ((m->dreq | m->sreq | m->block) & 0x0E) ? nd_i8237_ready(m) & 0x0E : 0;
    uint8_t sr = 0;
    if ((m->mode[0] & MODE_SEL_MASK) == MODE_CASCADE && !(m->mask & 1))
        sr = nd_i8237_ready(s);
    /* Under fixed priority the cascade input, channel 0 of the master, wins
       whenever the slave asks (what nd_i8237_pick would say). */
    const bool slave_wins = sr && !(m->command & CMD_ROTATING);
    if (!slave_wins) {
        const uint8_t mr = own | (sr ? 1u : 0u);
        if (!mr)
            return -1;
        unsigned mi = nd_i8237_pick(m, mr);
        if (mi != 0) {
            *alone = (mr & (mr - 1)) == 0;
            return (int)(4 + mi);
        }
    }
    /* The cascade input won: alone when it was the master's only candidate
       and one slave channel asked. */
    *alone = own == 0 && (sr & (sr - 1)) == 0;
    return (int)nd_i8237_pick(s, sr);
}

/* The master's bytes command, tc, sreq, dreq, mask and block, in this order
   from `command` on (little-endian), as one word: usual_case_bits selects
   what sends nd_atdma_arbitrate to the full arbitration (disabled or
   rotating; a request or block latch on channels 5-7; channel 4 masked, for
   which the full arbitration finds nobody as the usual case would), so that
   one load and one test replace six of each. */
static_assert(offsetof(nd_i8237, tc) == offsetof(nd_i8237, command) + 1 &&
                  offsetof(nd_i8237, sreq) == offsetof(nd_i8237, command) + 2 &&
                  offsetof(nd_i8237, dreq) == offsetof(nd_i8237, command) + 3 &&
                  offsetof(nd_i8237, mask) == offsetof(nd_i8237, command) + 4 &&
                  offsetof(nd_i8237, block) == offsetof(nd_i8237, command) + 5 &&
                  offsetof(nd_i8237, command) + 8 <= sizeof(nd_i8237),
              "nd_atdma_arbitrate reads these six bytes as one word");

static inline uint64_t master_unusual(const nd_i8237 *m)
{
    const uint64_t usual_case_bits = (uint64_t)(CMD_DISABLE | CMD_ROTATING) | /* command */
                                     (uint64_t)0x0E << 16 |                   /* sreq 5-7 */
                                     (uint64_t)0x0E << 24 |                   /* dreq 5-7 */
                                     (uint64_t)0x01 << 32 |                   /* mask 4 */
                                     (uint64_t)0x0E << 40;                    /* block 5-7 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w; /* and stall, flipflop: not selected */
    memcpy(&w, (const unsigned char *)m + offsetof(nd_i8237, command), sizeof w);
    return w & usual_case_bits;
#else
    return ((uint64_t)m->command | (uint64_t)m->sreq << 16 | (uint64_t)m->dreq << 24 |
            (uint64_t)m->mask << 32 | (uint64_t)m->block << 40) &
           usual_case_bits;
#endif
}

/* The usual case first: the master enabled, under fixed priority, channel
   4 unmasked, with no request of its own on channels 5-7 (hardware,
   software or block latch). Then only the cascade input can win, and it
   does whenever the slave asks: what nd_atdma_arbitrate_full finds in that
   case (own = 0, slave_wins = sr != 0; with sr = 0, no candidate and -1,
   *alone untouched). Any other state, a masked channel 4 included (the
   full arbitration then finds nobody), goes to nd_atdma_arbitrate_full. */
int nd_atdma_arbitrate(nd_atdma *d, bool *alone)
{
    const nd_i8237 *m = &d->ctl[1], *s = &d->ctl[0];
    if (__builtin_expect(master_unusual(m) != 0, 0))
        return nd_atdma_arbitrate_full(d, alone);
    if ((m->mode[0] & MODE_SEL_MASK) != MODE_CASCADE)
        return -1;
    const uint8_t sr = nd_i8237_ready(s);
    if (!sr)
        return -1;
    *alone = (sr & (sr - 1)) == 0;
    return (int)nd_i8237_pick(s, sr);
}
