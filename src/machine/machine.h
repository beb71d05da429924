/*
 * The machine: the top of the library's layers, composing them.
 *
 * Concept: struct ndisdma_machine owns one instance of every layer (the
 * hardware and the kernel; the HAL and NDIS layers join it as they are
 * built). Host API entry points find their layer here and call down; no
 * layer below knows this struct.
 */
#ifndef ND_MACHINE_MACHINE_H
#define ND_MACHINE_MACHINE_H

#include <ndisdma/machine.h>

#include "hw/hw.h"
#include "hal/hal.h"
#include "kernel/kernel.h"
#include "ndis/ndis_layer.h"

struct ndisdma_machine {
    ndisdma_config cfg;
    nd_hw hw;
    nd_kernel *kernel;      /* owned; created after the hardware, destroyed before it */
    struct nd_hal *hal;     /* owned; created after the kernel, destroyed before it */
    nd_ndis *ndis;          /* owned; created after the HAL, destroyed before it */
    struct nd_trace *trace; /* owned; the tracer (src/trace), created on first use */
};

#endif /* ND_MACHINE_MACHINE_H */
