/*
 * The machine: the top of the library's layers, composing them.
 *
 * Concept: struct ndisdma_machine owns one instance of every layer (today the
 * hardware; the kernel, HAL and NDIS layers join it as they are built). Host
 * API entry points find their layer here and call down; no layer below knows
 * this struct.
 */
#ifndef ND_MACHINE_MACHINE_H
#define ND_MACHINE_MACHINE_H

#include <ndisdma/machine.h>

#include "hw/hw.h"

struct ndisdma_machine {
    ndisdma_config cfg;
    nd_hw hw;
};

#endif /* ND_MACHINE_MACHINE_H */
