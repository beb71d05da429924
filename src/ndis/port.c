/*
 * I/O ports: NdisMRegisterIoPortRange / NdisMDeregisterIoPortRange and the
 * raw port accessors NdisRawReadPortXxx / NdisRawWritePortXxx.
 *
 * Concept: a miniport registers the port range of its resources and then
 * reads and writes ports on the machine's ISA bus, exactly as
 * ndisdma_io_read8/write8 do, so a device model's port handlers
 * (ndisdma_io_map) see every access. ISA is an 8-bit bus here: a USHORT or
 * ULONG access is that many byte accesses of consecutive ports, lowest port
 * first (little-endian). As on x86, the "mapped" port base a registration
 * returns is the port number itself; the raw accessors take any port.
 */
#include <stdlib.h>

#include "ndis/ndis_impl.h"

static const char ddi_reg[] = "NdisMRegisterIoPortRange";
static const char ddi_dereg[] = "NdisMDeregisterIoPortRange";

static NDIS_STATUS ddi_body_NdisMRegisterIoPortRange(PVOID *PortOffset,
                                                     NDIS_HANDLE MiniportAdapterHandle,
                                                     UINT InitialPort, UINT NumberOfPorts)
{
    if (PortOffset)
        *PortOffset = NULL;
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(MiniportAdapterHandle, ddi_reg);
    if (!a)
        return NDIS_STATUS_FAILURE;
    nd_kernel *k = a->n->k;
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi_reg))
        return NDIS_STATUS_FAILURE;
    if (!PortOffset || NumberOfPorts == 0) {
        nd_kernel_violation(k, ddi_reg, "%s",
                            PortOffset ? "NumberOfPorts is 0" : "PortOffset is NULL");
        return NDIS_STATUS_FAILURE;
    }
    uint64_t first = InitialPort, end = (uint64_t)InitialPort + NumberOfPorts;
    uint64_t rfirst = a->res.io_base, rend = (uint64_t)a->res.io_base + a->res.io_length;
    if (a->res.io_length == 0 || first < rfirst || end > rend) {
        nd_kernel_violation(k, ddi_reg,
                            "ports 0x%X-0x%llX are not inside the adapter's port resource "
                            "(0x%X, %u ports)",
                            (unsigned)InitialPort, (unsigned long long)end - 1,
                            (unsigned)a->res.io_base, (unsigned)a->res.io_length);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    nd_port_range *p = calloc(1, sizeof *p);
    if (!p)
        return NDIS_STATUS_RESOURCES;
    p->first = InitialPort;
    p->count = NumberOfPorts;
    p->next = a->ports;
    a->ports = p;
    /* The WDK hands the port number back as a PVOID (x86 port space). */
    *PortOffset = (PVOID)(ULONG_PTR)InitialPort; // NOLINT(performance-no-int-to-ptr)
    return NDIS_STATUS_SUCCESS;
}

static VOID ddi_body_NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
                                                UINT NumberOfPorts, PVOID PortOffset)
{
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(MiniportAdapterHandle, ddi_dereg);
    if (!a)
        return;
    nd_kernel *k = a->n->k;
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi_dereg))
        return;
    for (nd_port_range **pp = &a->ports; *pp; pp = &(*pp)->next) {
        nd_port_range *p = *pp;
        if (p->first == InitialPort && p->count == NumberOfPorts) {
            if ((ULONG_PTR)PortOffset != (ULONG_PTR)InitialPort)
                nd_kernel_violation(
                    k, ddi_dereg, "PortOffset %p is not the one registration returned", PortOffset);
            *pp = p->next;
            free(p);
            return;
        }
    }
    nd_kernel_violation(k, ddi_dereg, "ports 0x%X (%u) are not a registered range",
                        (unsigned)InitialPort, (unsigned)NumberOfPorts);
}

/* The hardware of the calling thread's machine, or NULL; reports a port
   above 0xFFFF (@bytes wide) for @ddi. */
static nd_hw *port_hw(ULONG_PTR port, unsigned bytes, const char *ddi)
{
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return NULL;
    if (port + bytes - 1u > 0xFFFFu) {
        nd_kernel_violation(k, ddi, "port 0x%llX is outside the 64 KiB I/O space",
                            (unsigned long long)port);
        return NULL;
    }
    return nd_kernel_hw(k);
}

static uint32_t read_n(ULONG_PTR port, unsigned bytes, const char *ddi)
{
    nd_hw *hw = port_hw(port, bytes, ddi);
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        uint32_t b = hw ? nd_hw_io_read8(hw, (uint16_t)(port + i)) : 0xFFu;
        v |= b << (8u * i);
    }
    return v;
}

static void write_n(ULONG_PTR port, unsigned bytes, uint32_t v, const char *ddi)
{
    nd_hw *hw = port_hw(port, bytes, ddi);
    if (!hw)
        return;
    nd_ndis *n = nd_ndis_current();
    for (unsigned i = 0; i < bytes; i++) {
        if (n) /* the verifier: a driver reprogramming NDIS's DMA channel */
            nd_dma_port_check(n, (uint16_t)(port + i), (uint8_t)(v >> (8u * i)), ddi);
        nd_hw_io_write8(hw, (uint16_t)(port + i), (uint8_t)(v >> (8u * i)));
    }
}

#define ND_NULL_DATA(ddi)                                                                          \
    do {                                                                                           \
        nd_kernel_violation(nd_kernel_current(), ddi, "Data is NULL");                             \
        return;                                                                                    \
    } while (0)

static VOID ddi_body_NdisRawReadPortUchar(ULONG_PTR Port, PUCHAR Data)
{
    if (!Data)
        ND_NULL_DATA("NdisRawReadPortUchar");
    *Data = (UCHAR)read_n(Port, 1, "NdisRawReadPortUchar");
}

static VOID ddi_body_NdisRawReadPortUshort(ULONG_PTR Port, PUSHORT Data)
{
    if (!Data)
        ND_NULL_DATA("NdisRawReadPortUshort");
    *Data = (USHORT)read_n(Port, 2, "NdisRawReadPortUshort");
}

static VOID ddi_body_NdisRawReadPortUlong(ULONG_PTR Port, PULONG Data)
{
    if (!Data)
        ND_NULL_DATA("NdisRawReadPortUlong");
    *Data = (ULONG)read_n(Port, 4, "NdisRawReadPortUlong");
}

static VOID ddi_body_NdisRawWritePortUchar(ULONG_PTR Port, UCHAR Data)
{
    write_n(Port, 1, Data, "NdisRawWritePortUchar");
}

static VOID ddi_body_NdisRawWritePortUshort(ULONG_PTR Port, USHORT Data)
{
    write_n(Port, 2, Data, "NdisRawWritePortUshort");
}

static VOID ddi_body_NdisRawWritePortUlong(ULONG_PTR Port, ULONG Data)
{
    write_n(Port, 4, Data, "NdisRawWritePortUlong");
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset, NDIS_HANDLE MiniportAdapterHandle,
                                     UINT InitialPort, UINT NumberOfPorts)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(PortOffset), nd_ptr_arg(MiniportAdapterHandle),
                              (uint64_t)InitialPort, (uint64_t)NumberOfPorts};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisMRegisterIoPortRange", 4, args, &sv);
    NDIS_STATUS r = ddi_body_NdisMRegisterIoPortRange(PortOffset, MiniportAdapterHandle,
                                                      InitialPort, NumberOfPorts);
    nd_verify_ddi_leave(k, "NdisMRegisterIoPortRange", (int64_t)r, &sv);
    return r;
}

VOID NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
                                UINT NumberOfPorts, PVOID PortOffset)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(MiniportAdapterHandle), (uint64_t)InitialPort,
                              (uint64_t)NumberOfPorts, nd_ptr_arg(PortOffset)};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisMDeregisterIoPortRange", 4, args, &sv);
    ddi_body_NdisMDeregisterIoPortRange(MiniportAdapterHandle, InitialPort, NumberOfPorts,
                                        PortOffset);
    nd_verify_ddi_leave(k, "NdisMDeregisterIoPortRange", 0, &sv);
}

VOID NdisRawReadPortUchar(ULONG_PTR Port, PUCHAR Data)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)Port, nd_ptr_arg(Data)};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisRawReadPortUchar", 2, args, &sv);
    ddi_body_NdisRawReadPortUchar(Port, Data);
    nd_verify_ddi_leave(k, "NdisRawReadPortUchar", 0, &sv);
}

VOID NdisRawReadPortUshort(ULONG_PTR Port, PUSHORT Data)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)Port, nd_ptr_arg(Data)};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisRawReadPortUshort", 2, args, &sv);
    ddi_body_NdisRawReadPortUshort(Port, Data);
    nd_verify_ddi_leave(k, "NdisRawReadPortUshort", 0, &sv);
}

VOID NdisRawReadPortUlong(ULONG_PTR Port, PULONG Data)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)Port, nd_ptr_arg(Data)};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisRawReadPortUlong", 2, args, &sv);
    ddi_body_NdisRawReadPortUlong(Port, Data);
    nd_verify_ddi_leave(k, "NdisRawReadPortUlong", 0, &sv);
}

VOID NdisRawWritePortUchar(ULONG_PTR Port, UCHAR Data)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)Port, (uint64_t)Data};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisRawWritePortUchar", 2, args, &sv);
    ddi_body_NdisRawWritePortUchar(Port, Data);
    nd_verify_ddi_leave(k, "NdisRawWritePortUchar", 0, &sv);
}

VOID NdisRawWritePortUshort(ULONG_PTR Port, USHORT Data)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)Port, (uint64_t)Data};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisRawWritePortUshort", 2, args, &sv);
    ddi_body_NdisRawWritePortUshort(Port, Data);
    nd_verify_ddi_leave(k, "NdisRawWritePortUshort", 0, &sv);
}

VOID NdisRawWritePortUlong(ULONG_PTR Port, ULONG Data)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)Port, (uint64_t)Data};
    nd_verify_saved sv;
    nd_verify_ddi_enter(k, "NdisRawWritePortUlong", 2, args, &sv);
    ddi_body_NdisRawWritePortUlong(Port, Data);
    nd_verify_ddi_leave(k, "NdisRawWritePortUlong", 0, &sv);
}
