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

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset, NDIS_HANDLE MiniportAdapterHandle,
                                     UINT InitialPort, UINT NumberOfPorts)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(PortOffset), nd_ptr_arg(MiniportAdapterHandle),
                              (uint64_t)InitialPort, (uint64_t)NumberOfPorts};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMRegisterIoPortRange", 4, args, &sv);
    NDIS_STATUS r = ddi_body_NdisMRegisterIoPortRange(PortOffset, MiniportAdapterHandle,
                                                      InitialPort, NumberOfPorts);
    nd_verify_ddi_leave(k, fast, "NdisMRegisterIoPortRange", (int64_t)r, &sv);
    return r;
}

VOID NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
                                UINT NumberOfPorts, PVOID PortOffset)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(MiniportAdapterHandle), (uint64_t)InitialPort,
                              (uint64_t)NumberOfPorts, nd_ptr_arg(PortOffset)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMDeregisterIoPortRange", 4, args, &sv);
    ddi_body_NdisMDeregisterIoPortRange(MiniportAdapterHandle, InitialPort, NumberOfPorts,
                                        PortOffset);
    nd_verify_ddi_leave(k, fast, "NdisMDeregisterIoPortRange", 0, &sv);
}

/*
 * ---- the raw accessors ----
 *
 * A raw port access runs no driver code: it reaches the hardware model only
 * (the DMA controllers' decode, a device model's port handler), and
 * interrupts are delivered at the clock's delivery points, never inside a
 * port access. So these DDIs take the verifier's plain call bracket
 * (nd_verify_call_begin / end) instead of the suspend/resume bracket of the
 * DDIs that may run driver code: with no DDI called in between, both leave
 * the same call state and raise the same events, and reports made inside
 * see the same call. The body is inlined per width (one byte for the
 * common Uchar) and the rare reports are out of line, so that the common
 * path keeps little state across its calls.
 */

/* Report a port range past the 64 KiB I/O space. */
__attribute__((noinline, cold)) static void port_outside(nd_kernel *k, ULONG_PTR port,
                                                         const char *ddi)
{
    nd_kernel_violation(k, ddi, "port 0x%llX is outside the 64 KiB I/O space",
                        (unsigned long long)port);
}

/* Report a NULL Data pointer of a read. */
__attribute__((noinline, cold)) static void null_data(nd_kernel *k, const char *ddi)
{
    nd_kernel_violation(k, ddi, "Data is NULL");
}

/* The verifier's check of a driver's write: a driver reprogramming NDIS's
   DMA channel (nd_dma_port_check, when NDIS runs on @k's machine). Called
   only for the ports of the DMA controllers and page registers
   (nd_hw_is_dma_port): a write of any other port reprograms no channel, so
   the check would find nothing there. Out of line: a driver seldom writes
   those ports. */
__attribute__((noinline, cold)) static void dma_port_check(nd_kernel *k, uint16_t port,
                                                           uint8_t value, const char *ddi)
{
    nd_ndis *n = nd_kernel_ndis(k);
    if (n)
        nd_dma_port_check(n, port, value, ddi);
}

/* The hardware of @k's machine for @bytes ports from @port, or NULL (no
   machine on this thread, or the range is reported). */
static inline nd_hw *port_hw(nd_kernel *k, ULONG_PTR port, unsigned bytes, const char *ddi)
{
    if (!k)
        return NULL;
    if (__builtin_expect(port + bytes - 1u > 0xFFFFu, 0)) {
        port_outside(k, port, ddi);
        return NULL;
    }
    return nd_kernel_hw(k);
}

/* Read @bytes consecutive ports, lowest first (open bus 0xFF without a machine). */
static inline __attribute__((always_inline)) uint32_t read_n(nd_kernel *k, ULONG_PTR port,
                                                             unsigned bytes, const char *ddi)
{
    nd_hw *hw = port_hw(k, port, bytes, ddi);
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        uint32_t b = hw ? nd_hw_io_read8(hw, (uint16_t)(port + i)) : 0xFFu;
        v |= b << (8u * i);
    }
    return v;
}

/* Write @v to @bytes consecutive ports, lowest byte first. */
static inline __attribute__((always_inline)) void
write_n(nd_kernel *k, ULONG_PTR port, unsigned bytes, uint32_t v, const char *ddi)
{
    nd_hw *hw = port_hw(k, port, bytes, ddi);
    if (!hw)
        return;
    for (unsigned i = 0; i < bytes; i++) {
        uint16_t p = (uint16_t)(port + i);
        uint8_t b = (uint8_t)(v >> (8u * i));
        if (nd_hw_is_dma_port(p)) /* the verifier: a driver reprogramming NDIS's channel */
            dma_port_check(k, p, b, ddi);
        nd_hw_io_write8(hw, p, b);
    }
}

/* A read DDI: the bracket, the NULL check, @bytes ports into *@data. */
static inline __attribute__((always_inline)) void raw_read(ULONG_PTR port, void *data,
                                                           unsigned bytes, const char *ddi)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)port, nd_ptr_arg(data)};
    nd_verify_call_begin(k, ddi, 2, args);
    if (!data) {
        null_data(k, ddi);
    } else {
        uint32_t v = read_n(k, port, bytes, ddi);
        if (bytes == 1)
            *(PUCHAR)data = (UCHAR)v;
        else if (bytes == 2)
            *(PUSHORT)data = (USHORT)v;
        else
            *(PULONG)data = (ULONG)v;
    }
    nd_verify_call_end(k, ddi, 0);
}

/* A write DDI: the bracket, @v to @bytes ports. */
static inline __attribute__((always_inline)) void raw_write(ULONG_PTR port, uint32_t v,
                                                            unsigned bytes, const char *ddi)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {(uint64_t)port, (uint64_t)v};
    nd_verify_call_begin(k, ddi, 2, args);
    write_n(k, port, bytes, v, ddi);
    nd_verify_call_end(k, ddi, 0);
}

/*
 * The Uchar DDIs, the ones a driver's data path uses: a fast path in front
 * of raw_read / raw_write. When the call is outermost with no observer
 * (nd_verify_leaf_quiet: the thread is bound to a kernel, and a kernel
 * always has its hardware, nd_kernel_create refuses none, so port_hw would
 * find it), the port lies in the I/O space, a read has its Data pointer and
 * a write's port lies above the DMA registers, the DDI can make no report
 * of its own: it opens the bracket
 * (its fast path), makes the one access and closes the bracket as always
 * (call_end tests again what the access may have changed). Otherwise the
 * general path runs from the start: nothing was done before it.
 */

/* True for a port in the I/O space above every DMA register (a device's
   port: the usual case), in one compare. Such a port is no DMA register
   (nd_hw_is_dma_port), so a write there makes no dma_port_check; the
   other ports, DMA or not, take the general path, which does the same
   work for them. */
static inline bool port_above_dma(ULONG_PTR port)
{
    return port - (AT_DMA2_LAST + 1u) <= 0xFFFFu - (AT_DMA2_LAST + 1u);
}

static __attribute__((noinline)) void read_uchar_general(ULONG_PTR Port, PUCHAR Data)
{
    raw_read(Port, Data, 1, "NdisRawReadPortUchar");
}

static __attribute__((noinline)) void write_uchar_general(ULONG_PTR Port, UCHAR Data)
{
    raw_write(Port, Data, 1, "NdisRawWritePortUchar");
}

VOID NdisRawReadPortUchar(ULONG_PTR Port, PUCHAR Data)
{
    nd_kernel *k = nd_kernel_current();
    if (__builtin_expect(Data != NULL && Port <= 0xFFFFu, 1) && nd_verify_leaf_quiet(k)) {
        const uint64_t args[2] = {(uint64_t)Port, nd_ptr_arg(Data)};
        nd_verify_quiet_begin(k, "NdisRawReadPortUchar", 2, args);
        *Data = nd_hw_io_read8(nd_kernel_hw(k), (uint16_t)Port);
        nd_verify_call_end(k, "NdisRawReadPortUchar", 0);
        return;
    }
    read_uchar_general(Port, Data);
}

VOID NdisRawReadPortUshort(ULONG_PTR Port, PUSHORT Data)
{
    raw_read(Port, Data, 2, "NdisRawReadPortUshort");
}

VOID NdisRawReadPortUlong(ULONG_PTR Port, PULONG Data)
{
    raw_read(Port, Data, 4, "NdisRawReadPortUlong");
}

VOID NdisRawWritePortUchar(ULONG_PTR Port, UCHAR Data)
{
    nd_kernel *k = nd_kernel_current();
    if (__builtin_expect(port_above_dma(Port), 1) && nd_verify_leaf_quiet(k)) {
        const uint64_t args[2] = {(uint64_t)Port, (uint64_t)Data};
        nd_verify_quiet_begin(k, "NdisRawWritePortUchar", 2, args);
        nd_hw_io_write8(nd_kernel_hw(k), (uint16_t)Port, Data);
        nd_verify_call_end(k, "NdisRawWritePortUchar", 0);
        return;
    }
    write_uchar_general(Port, Data);
}

VOID NdisRawWritePortUshort(ULONG_PTR Port, USHORT Data)
{
    raw_write(Port, Data, 2, "NdisRawWritePortUshort");
}

VOID NdisRawWritePortUlong(ULONG_PTR Port, ULONG Data)
{
    raw_write(Port, Data, 4, "NdisRawWritePortUlong");
}
