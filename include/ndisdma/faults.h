/*
 * <ndisdma/faults.h> - seeded, deterministic fault injection.
 *
 * Concept: a test arms a fault kind on one machine with a trigger (the Nth
 * call, every Nth call, or a probability per million drawn from the
 * machine's own PRNG seeded from ndisdma_config.seed) and an optional limit.
 * Each injection point checks one "anything armed" word before doing any
 * work, so an unarmed machine pays one predictable branch. Every injected
 * fault is counted (ndisdma_fault_stats) and raised to the observers as an
 * NDISDMA_EV_FAULT event whose name is the fault's name. Same seed and same
 * calls give the same faults. docs/faults.md describes each kind and the
 * driver-visible result.
 */
#ifndef NDISDMA_FAULTS_H
#define NDISDMA_FAULTS_H

#include <stdint.h>

#include <ndisdma/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * X(ID, "name", "driver-visible result"). The order is the enum order;
 * never renumber.
 */
#define NDISDMA_FAULT_LIST(X)                                                                      \
    X(FLUSH, "flush_adapter_buffers",                                                              \
      "FlushAdapterBuffers returns FALSE; NdisMCompleteDmaTransfer gives NDIS_STATUS_RESOURCES")   \
    X(MAPREG_EXHAUSTED, "map_register_exhaustion",                                                 \
      "IoGetDmaAdapter offers no map registers; NdisMRegisterDmaChannel fails")                    \
    X(GET_ADAPTER, "io_get_dma_adapter", "IoGetDmaAdapter returns NULL")                           \
    X(ALLOC_MEMORY_TAG_PRIORITY, "NdisAllocateMemoryWithTagPriority", "returns NULL")              \
    X(ALLOC_MEMORY_TAG, "NdisAllocateMemoryWithTag", "returns NDIS_STATUS_FAILURE")                \
    X(ALLOC_MEMORY, "NdisAllocateMemory", "returns NDIS_STATUS_FAILURE")                           \
    X(ALLOC_SHARED_MEMORY, "NdisMAllocateSharedMemory", "*VirtualAddress is NULL")                 \
    X(ALLOC_BUFFER_POOL, "NdisAllocateBufferPool", "*Status is NDIS_STATUS_RESOURCES")             \
    X(ALLOC_BUFFER, "NdisAllocateBuffer", "*Status is NDIS_STATUS_FAILURE")                        \
    X(ALLOC_MDL, "NdisAllocateMdl", "returns NULL")                                                \
    X(ALLOC_TIMER_OBJECT, "NdisAllocateTimerObject", "returns NDIS_STATUS_RESOURCES")              \
    X(DEVICE_SHORT, "device_short_transfer",                                                       \
      "the device takes half the units offered, then drops DREQ: the transfer pauses")             \
    X(DEVICE_STALL, "device_stall",                                                                \
      "the device drops DREQ at a grant before taking anything: the transfer pauses")              \
    X(TC_SPURIOUS, "tc_spurious", "the device's terminal_count callback runs without a TC")        \
    X(TC_MISSING, "tc_missing",                                                                    \
      "a TC happens but the device's terminal_count callback is dropped")                          \
    X(DREQ_STORM, "dreq_storm", "a DREQ assertion is preceded by 16 rapid drop/assert toggles")

typedef enum ndisdma_fault {
#define NDISDMA_X_FAULT_ENUM(id, name, result) NDISDMA_FAULT_##id,
    NDISDMA_FAULT_LIST(NDISDMA_X_FAULT_ENUM)
#undef NDISDMA_X_FAULT_ENUM
        NDISDMA_FAULT_COUNT
} ndisdma_fault;

/*
 * The trigger. Exactly one of @nth, @every, @ppm is non-zero. Calls are
 * counted per kind from the ndisdma_fault_set() that armed it.
 * @nth:     inject at the Nth call only (1 = the next call).
 * @every:   inject at every Nth call (1 = every call).
 * @ppm:     inject with probability @ppm / 1,000,000 per call (1..1000000),
 *           drawn from the machine's fault PRNG (seeded from cfg.seed).
 * @limit:   at most this many injections, then the kind disarms; 0 = no limit.
 * @channel: -1 for any, or a DMA channel 0-7: the fault only counts calls
 *           for that channel (kinds that have a channel: FLUSH,
 *           MAPREG_EXHAUSTED, GET_ADAPTER and the device kinds DEVICE_SHORT,
 *           DEVICE_STALL, TC_SPURIOUS, TC_MISSING, DREQ_STORM; the
 *           allocation kinds need -1).
 */
typedef struct ndisdma_fault_spec {
    uint32_t nth;
    uint32_t every;
    uint32_t ppm;
    uint32_t limit;
    int channel;
} ndisdma_fault_spec;

/* Injections so far, per kind, since the machine was created. */
typedef struct ndisdma_fault_counters {
    uint64_t injected[NDISDMA_FAULT_COUNT];
    uint64_t calls[NDISDMA_FAULT_COUNT]; /* calls seen while the kind was armed */
} ndisdma_fault_counters;

/*
 * ndisdma_fault_name - the static name of @kind ("flush_adapter_buffers"),
 * or NULL when @kind is out of range. Any thread.
 */
const char *ndisdma_fault_name(ndisdma_fault kind);

/*
 * ndisdma_fault_set - arm @kind on @m with trigger @spec (copied), replacing
 * any trigger it had and restarting its call count.
 * Returns 0, or NDISDMA_EINVAL: NULL @m or @spec, @kind out of range, not
 * exactly one of nth/every/ppm set, ppm above 1,000,000, channel outside
 * -1..7, or a channel on a kind that has none. Nothing changes on error.
 * Context: the thread that owns @m, outside callbacks of @m.
 */
int ndisdma_fault_set(ndisdma_machine *m, ndisdma_fault kind, const ndisdma_fault_spec *spec);

/*
 * ndisdma_fault_clear - disarm @kind (counts in the stats stay).
 * Returns 0 or NDISDMA_EINVAL (NULL @m, @kind out of range). Same context.
 */
int ndisdma_fault_clear(ndisdma_machine *m, ndisdma_fault kind);

/*
 * ndisdma_fault_stats - copy the counters of @m to @out (caller-owned).
 * Returns 0 or NDISDMA_EINVAL (NULL argument). Same context.
 */
int ndisdma_fault_stats(const ndisdma_machine *m, ndisdma_fault_counters *out);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_FAULTS_H */
