/*
 * NDIS timer objects (NdisAllocateTimerObject, NdisSetTimerObject,
 * NdisCancelTimerObject, NdisFreeTimerObject) and delays in virtual time
 * (NdisStallExecution, NdisMSleep).
 *
 * Concept: a timer object is a kernel event on the machine's virtual-time
 * queue plus a DPC, as a KTIMER with its KDPC: when the event falls due it
 * queues the DPC (and re-arms itself for a periodic timer), and the DPC
 * calls the timer function at DISPATCH_LEVEL. A timer belongs to the adapter
 * or driver whose handle allocated it, which checks at halt or unload that
 * it was freed. Virtual system time, for absolute due times, is the
 * machine's clock in 100 ns units.
 */
#include <stdlib.h>

#include "ndis/ndis_impl.h"
#include "hw/hw.h" /* nd_hw.faults: fault injection */

static const char ddi_alloc[] = "NdisAllocateTimerObject";
static const char ddi_set[] = "NdisSetTimerObject";
static const char ddi_cancel[] = "NdisCancelTimerObject";
static const char ddi_free[] = "NdisFreeTimerObject";

static void timer_dpc(nd_kernel *k, void *ctx, void *arg1, void *arg2)
{
    (void)k;
    (void)arg1;
    (void)arg2;
    nd_mp_timer *t = ctx;
    t->chars.TimerFunction(NULL, t->context, NULL, NULL);
}

static void timer_due(nd_kernel *k, void *ctx)
{
    nd_mp_timer *t = ctx;
    if (t->period_ns)
        nd_event_schedule(k, &t->ev, nd_kernel_now(k) + t->period_ns);
    nd_dpc_queue(k, &t->dpc, NULL, NULL);
}

static NDIS_STATUS
ddi_body_NdisAllocateTimerObject(NDIS_HANDLE NdisHandle,
                                 PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
                                 PNDIS_HANDLE pTimerObject)
{
    if (pTimerObject)
        *pTimerObject = NULL;
    nd_obj *o = nd_handle_get2(NdisHandle, ND_KIND_ADAPTER, ND_KIND_DRIVER, ddi_alloc);
    if (!o)
        return NDIS_STATUS_FAILURE;
    nd_mp_adapter *a = o->kind == ND_KIND_ADAPTER ? (nd_mp_adapter *)o : NULL;
    ndisdma_driver *drv = a ? NULL : (ndisdma_driver *)o;
    nd_ndis *n = a ? a->n : drv->n;
    nd_kernel *k = n->k;
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi_alloc))
        return NDIS_STATUS_FAILURE;
    if (!pTimerObject || !TimerCharacteristics) {
        nd_kernel_violation(k, ddi_alloc, "%s is NULL",
                            pTimerObject ? "TimerCharacteristics" : "pTimerObject");
        return NDIS_STATUS_FAILURE;
    }
    const NDIS_TIMER_CHARACTERISTICS *c = TimerCharacteristics;
    if (c->Header.Type != NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS || c->Header.Revision < 1 ||
        c->Header.Size < NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1) {
        nd_kernel_violation(k, ddi_alloc, "bad Header (type, revision or size)");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (!c->TimerFunction) {
        nd_kernel_violation(k, ddi_alloc, "TimerFunction is NULL");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (ND_FAULT_HIT(&nd_kernel_hw(k)->faults, NDISDMA_FAULT_ALLOC_TIMER_OBJECT, -1))
        return NDIS_STATUS_RESOURCES; /* injected: the WDK's out-of-resources status */
    nd_mp_timer *t = calloc(1, sizeof *t);
    if (!t || nd_handle_add(n, &t->obj, ND_KIND_TIMER) != 0) {
        free(t);
        return NDIS_STATUS_RESOURCES;
    }
    t->n = n;
    t->a = a;
    t->drv = drv;
    t->chars = *c;
    nd_event_init(&t->ev, timer_due, t);
    nd_dpc_init(&t->dpc, timer_dpc, t);
    t->dpc.name = "MiniportTimer";
    nd_mp_timer **list = a ? &a->timers : &drv->timers;
    t->next = *list;
    *list = t;
    *pTimerObject = (NDIS_HANDLE)t;
    return NDIS_STATUS_SUCCESS;
}

/* Stop @t from firing; true when it was set (event pending or DPC queued). */
static bool timer_stop(nd_mp_timer *t)
{
    bool was = nd_event_cancel(t->n->k, &t->ev);
    if (nd_dpc_remove(t->n->k, &t->dpc))
        was = true;
    t->period_ns = 0;
    return was;
}

static BOOLEAN ddi_body_NdisSetTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime,
                                           LONG MillisecondsPeriod, PVOID FunctionContext)
{
    nd_mp_timer *t = (nd_mp_timer *)nd_handle_get(TimerObject, ND_KIND_TIMER, ddi_set);
    if (!t)
        return FALSE;
    nd_kernel *k = t->n->k;
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi_set))
        return FALSE;
    if (MillisecondsPeriod < 0) {
        nd_kernel_violation(k, ddi_set, "MillisecondsPeriod %d is negative; treated as 0",
                            (int)MillisecondsPeriod);
        MillisecondsPeriod = 0;
    }
    bool was = nd_event_cancel(k, &t->ev);
    uint64_t now = nd_kernel_now(k), at;
    if (DueTime.QuadPart < 0) {
        uint64_t rel = (uint64_t)(-(DueTime.QuadPart + 1)) + 1u; /* no overflow at INT64_MIN */
        at = rel > (UINT64_MAX - now) / 100u ? UINT64_MAX : now + rel * 100u;
    } else {
        uint64_t abs = (uint64_t)DueTime.QuadPart;
        at = abs > UINT64_MAX / 100u ? UINT64_MAX : abs * 100u; /* past: fires now */
    }
    t->period_ns = (uint64_t)MillisecondsPeriod * 1000000u;
    t->context = FunctionContext ? FunctionContext : t->chars.FunctionContext;
    nd_event_schedule(k, &t->ev, at);
    return was ? TRUE : FALSE;
}

static BOOLEAN ddi_body_NdisCancelTimerObject(NDIS_HANDLE TimerObject)
{
    nd_mp_timer *t = (nd_mp_timer *)nd_handle_get(TimerObject, ND_KIND_TIMER, ddi_cancel);
    if (!t)
        return FALSE;
    if (!nd_kernel_irql_at_most(t->n->k, DISPATCH_LEVEL, ddi_cancel))
        return FALSE;
    return timer_stop(t) ? TRUE : FALSE;
}

void nd_timer_release(nd_mp_timer *t)
{
    timer_stop(t);
    nd_mp_timer **list = t->a ? &t->a->timers : &t->drv->timers;
    for (; *list; list = &(*list)->next) {
        if (*list == t) {
            *list = t->next;
            break;
        }
    }
    nd_handle_del(t->n, &t->obj);
    free(t);
}

static VOID ddi_body_NdisFreeTimerObject(NDIS_HANDLE TimerObject)
{
    nd_mp_timer *t = (nd_mp_timer *)nd_handle_get(TimerObject, ND_KIND_TIMER, ddi_free);
    if (!t)
        return;
    nd_kernel *k = t->n->k;
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi_free))
        return;
    if (nd_event_pending(&t->ev) || t->dpc.queued)
        nd_kernel_violation(k, ddi_free,
                            "the timer is still set (NdisCancelTimerObject first); cancelled");
    nd_timer_release(t);
}

static VOID ddi_body_NdisStallExecution(UINT MicrosecondsToStall)
{
    KeStallExecutionProcessor(MicrosecondsToStall);
}

static VOID ddi_body_NdisMSleep(ULONG MicrosecondsToSleep)
{
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    uint64_t ns = (uint64_t)MicrosecondsToSleep * 1000u;
    if (nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "NdisMSleep", "called at IRQL %u; it requires PASSIVE_LEVEL",
                            (unsigned)nd_kernel_irql());
        nd_kernel_stall(k, ns);
        return;
    }
    /* A sleeping thread lets the machine run (DPCs included); inside a
       callback of ndisdma_machine_run it can only stall. */
    if (nd_kernel_run(k, ns) != 0)
        nd_kernel_stall(k, ns);
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_STATUS NdisAllocateTimerObject(NDIS_HANDLE NdisHandle,
                                    PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
                                    PNDIS_HANDLE pTimerObject)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(NdisHandle), nd_ptr_arg(TimerCharacteristics),
                              nd_ptr_arg(pTimerObject)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateTimerObject", 3, args, &sv);
    NDIS_STATUS r =
        ddi_body_NdisAllocateTimerObject(NdisHandle, TimerCharacteristics, pTimerObject);
    nd_verify_ddi_leave(k, fast, "NdisAllocateTimerObject", (int64_t)r, &sv);
    return r;
}

BOOLEAN NdisSetTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod,
                           PVOID FunctionContext)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(TimerObject), (uint64_t)DueTime.QuadPart,
                              (uint64_t)MillisecondsPeriod, nd_ptr_arg(FunctionContext)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisSetTimerObject", 4, args, &sv);
    BOOLEAN r =
        ddi_body_NdisSetTimerObject(TimerObject, DueTime, MillisecondsPeriod, FunctionContext);
    nd_verify_ddi_leave(k, fast, "NdisSetTimerObject", (int64_t)r, &sv);
    return r;
}

BOOLEAN NdisCancelTimerObject(NDIS_HANDLE TimerObject)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(TimerObject)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisCancelTimerObject", 1, args, &sv);
    BOOLEAN r = ddi_body_NdisCancelTimerObject(TimerObject);
    nd_verify_ddi_leave(k, fast, "NdisCancelTimerObject", (int64_t)r, &sv);
    return r;
}

VOID NdisFreeTimerObject(NDIS_HANDLE TimerObject)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(TimerObject)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeTimerObject", 1, args, &sv);
    ddi_body_NdisFreeTimerObject(TimerObject);
    nd_verify_ddi_leave(k, fast, "NdisFreeTimerObject", 0, &sv);
}

VOID NdisStallExecution(UINT MicrosecondsToStall)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {(uint64_t)MicrosecondsToStall};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisStallExecution", 1, args, &sv);
    ddi_body_NdisStallExecution(MicrosecondsToStall);
    nd_verify_ddi_leave(k, fast, "NdisStallExecution", 0, &sv);
}

VOID NdisMSleep(ULONG MicrosecondsToSleep)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {(uint64_t)MicrosecondsToSleep};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMSleep", 1, args, &sv);
    ddi_body_NdisMSleep(MicrosecondsToSleep);
    nd_verify_ddi_leave(k, fast, "NdisMSleep", 0, &sv);
}
