/* The traced scenario: see scenario.h. */
#include "scenario.h"

#include <stdint.h>
#include <string.h>

#include <ndisdma/device.h>
#include <ndisdma/kernel.h>

#include "kernel/clock.h"
#include "kernel/interrupt.h"
#include "machine/machine.h"

/* One run's state, on trace_scenario_run's stack (no global state). */
typedef struct scen {
    ndisdma_machine *m;
    nd_interrupt *intr;
    nd_dpc dpc;
    uint8_t got[64];
    size_t ngot;
    unsigned isrs, dpcs;
} scen;

static size_t to_dev(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    (void)ch;
    scen *s = ctx;
    size_t n = len;
    if (n > sizeof s->got - s->ngot)
        n = sizeof s->got - s->ngot;
    memcpy(s->got + s->ngot, data, n);
    s->ngot += n;
    return len;
}

static size_t from_dev(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    (void)ctx;
    (void)ch;
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(0xA0 + i);
    return len;
}

static void tc(void *ctx, unsigned ch)
{
    scen *s = ctx;
    if (ch == 1) {
        ndisdma_dma_request(s->m, 1, false);
        ndisdma_irq_set(s->m, 5, true);
    } else {
        ndisdma_dma_request(s->m, ch, false);
    }
}

static BOOLEAN isr(void *ctx)
{
    scen *s = ctx;
    s->isrs++;
    nd_dpc_queue(s->m->kernel, &s->dpc, s, NULL);
    return TRUE;
}

static void dpc(nd_kernel *k, void *ctx, void *a1, void *a2)
{
    (void)k;
    (void)a1;
    (void)a2;
    scen *s = ctx;
    s->dpcs++;
    ndisdma_irq_set(s->m, 5, false);
}

static void program(ndisdma_machine *m, unsigned ch, uint8_t mode, uint32_t phys, uint16_t count)
{
    if (ch < 4) {
        ndisdma_io_write8(m, 0x0A, (uint8_t)(0x04 | ch)); /* mask */
        ndisdma_io_write8(m, 0x0C, 0);                    /* clear flip-flop */
        ndisdma_io_write8(m, 0x0B, (uint8_t)(mode | ch));
        ndisdma_io_write8(m, (uint16_t)(ch * 2), (uint8_t)phys);
        ndisdma_io_write8(m, (uint16_t)(ch * 2), (uint8_t)(phys >> 8));
        ndisdma_io_write8(m, (uint16_t)(ch * 2 + 1), (uint8_t)count);
        ndisdma_io_write8(m, (uint16_t)(ch * 2 + 1), (uint8_t)(count >> 8));
        ndisdma_io_write8(m, 0x83, (uint8_t)(phys >> 16)); /* page of channel 1 */
        ndisdma_io_write8(m, 0x0A, (uint8_t)ch);           /* unmask */
    } else {
        const unsigned i = ch & 3;
        const uint32_t word = phys >> 1;
        ndisdma_io_write8(m, 0xD4, (uint8_t)(0x04 | i));
        ndisdma_io_write8(m, 0xD8, 0);
        ndisdma_io_write8(m, 0xD6, (uint8_t)(mode | i));
        ndisdma_io_write8(m, (uint16_t)(0xC0 + i * 4), (uint8_t)word);
        ndisdma_io_write8(m, (uint16_t)(0xC0 + i * 4), (uint8_t)(word >> 8));
        ndisdma_io_write8(m, (uint16_t)(0xC2 + i * 4), (uint8_t)count);
        ndisdma_io_write8(m, (uint16_t)(0xC2 + i * 4), (uint8_t)(count >> 8));
        ndisdma_io_write8(m, 0x8B, (uint8_t)(phys >> 16)); /* page of channel 5 */
        ndisdma_io_write8(m, 0xD4, (uint8_t)i);
    }
}

int trace_scenario_run(ndisdma_machine *m, int variant)
{
    scen s;
    memset(&s, 0, sizeof s);
    s.m = m;
    nd_dpc_init(&s.dpc, dpc, &s);
    s.dpc.name = "scenario_dpc";
    int rc = nd_kernel_connect_interrupt(m->kernel, 5, 7, isr, &s, &s.intr);
    if (rc)
        return rc;
    const ndisdma_dma_device dev = {
        .to_device = to_dev, .from_device = from_dev, .terminal_count = tc};
    if ((rc = ndisdma_dma_attach(m, 1, &dev, &s)) || (rc = ndisdma_dma_attach(m, 5, &dev, &s)))
        return rc;
    uint8_t buf[32];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)i;
    ndisdma_phys_write(m, 0x12000, buf, sizeof buf);
    /* Channel 1: single mode, memory -> device (read), increment. */
    program(m, 1, 0x48, 0x12000, variant ? 11 : 15);
    ndisdma_dma_request(m, 1, true);
    rc = ndisdma_machine_run(m, 40000);
    /* Channel 5: demand mode, device -> memory (write), 16-bit. */
    program(m, 5, 0x04, 0x20000, 7);
    ndisdma_dma_request(m, 5, true);
    if (!rc)
        rc = ndisdma_machine_run(m, 40000);
    (void)ndisdma_io_read8(m, 0x08); /* status of controller 1 */
    ndisdma_dma_eop(m, 1);           /* outside service: ignored, traced */
    ndisdma_dma_detach(m, 1);
    ndisdma_dma_detach(m, 5);
    nd_kernel_disconnect_interrupt(s.intr);
    if (!rc && (s.isrs != 1 || s.dpcs != 1))
        rc = NDISDMA_ESTATE;
    return rc;
}

ndisdma_machine *trace_scenario(uint64_t seed, int variant, size_t capacity)
{
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.seed = seed;
    cfg.ram_bytes = 1u << 20;
    ndisdma_machine *m = NULL;
    if (ndisdma_machine_create(&cfg, &m))
        return NULL;
    if (ndisdma_thread_bind(m) || (capacity != SIZE_MAX && ndisdma_trace_start(m, capacity)) ||
        trace_scenario_run(m, variant)) {
        trace_scenario_done(m);
        return NULL;
    }
    return m;
}

void trace_scenario_done(ndisdma_machine *m)
{
    if (!m)
        return;
    if (ndisdma_thread_machine() == m)
        ndisdma_thread_unbind(m);
    ndisdma_machine_destroy(m);
}
