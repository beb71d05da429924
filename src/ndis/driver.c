/*
 * Miniport drivers: NdisMRegisterMiniportDriver,
 * NdisMDeregisterMiniportDriver, and loading and unloading a driver
 * (ndisdma_driver_load, ndisdma_driver_unload).
 *
 * Concept: loading builds a DRIVER_OBJECT and a registry path and calls
 * DriverEntry at PASSIVE_LEVEL; DriverEntry registers the driver's
 * characteristics, which are checked as Windows checks them (header, NDIS
 * version, required handlers). A driver is usable once DriverEntry returned
 * success with a registration in place. Unloading stops the adapters still
 * started, calls MiniportDriverUnload (which deregisters) and releases what
 * the driver left behind, reporting it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndis/ndis_impl.h"

/* IO_TYPE_DRIVER in the WDK. */
#define ND_IO_TYPE_DRIVER 4

/* The NDIS 6 minor versions Windows knows (6.0 ... 6.89). */
static bool known_minor(UCHAR minor)
{
    switch (minor) {
    case 0:
    case 1:
    case 20:
    case 30:
    case 40:
    case 50:
    case 51:
    case 60:
    case 70:
    case 80:
    case 81:
    case 82:
    case 83:
    case 84:
    case 85:
    case 86:
    case 87:
    case 88:
    case 89:
        return true;
    default:
        return false;
    }
}

/* Why @c is refused, with the status to return; NULL when it is fine. */
static const char *check_chars(const NDIS_MINIPORT_DRIVER_CHARACTERISTICS *c, NDIS_STATUS *st)
{
    *st = NDIS_STATUS_BAD_CHARACTERISTICS;
    if (c->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS)
        return "Header.Type is not NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS";
    if (c->Header.Revision < NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1)
        return "Header.Revision is 0";
    if (c->Header.Size < NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1)
        return "Header.Size is smaller than NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1";
    if (c->Header.Revision >= NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 &&
        c->Header.Size < NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2)
        return "Header.Size is smaller than NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2";
    *st = NDIS_STATUS_BAD_VERSION;
    if (c->MajorNdisVersion != 6)
        return "MajorNdisVersion is not 6 (NDIS 5.x drivers use NdisMRegisterMiniport)";
    if (!known_minor(c->MinorNdisVersion))
        return "MinorNdisVersion is not an NDIS 6 version";
    *st = NDIS_STATUS_BAD_CHARACTERISTICS;
    static const struct {
        size_t off;
        const char *name;
    } req[] = {
#define REQ(f) {offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, f), #f}
        REQ(InitializeHandlerEx),
        REQ(HaltHandlerEx),
        REQ(UnloadHandler),
        REQ(PauseHandler),
        REQ(RestartHandler),
        REQ(OidRequestHandler),
        REQ(SendNetBufferListsHandler),
        REQ(ReturnNetBufferListsHandler),
        REQ(CancelSendHandler),
        REQ(ResetHandlerEx),
        REQ(DevicePnPEventNotifyHandler),
        REQ(ShutdownHandlerEx),
        REQ(CancelOidRequestHandler),
#undef REQ
    };
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
        void (*fn)(void);
        memcpy(&fn, (const char *)c + req[i].off, sizeof fn);
        if (!fn)
            return req[i].name; /* a required handler is NULL */
    }
    return NULL;
}

static ndisdma_driver *find_loading(nd_ndis *n, PDRIVER_OBJECT d)
{
    for (ndisdma_driver *drv = n->drivers; drv; drv = drv->next)
        if (&drv->drvobj == d)
            return drv;
    return NULL;
}

static NDIS_STATUS ddi_body_NdisMRegisterMiniportDriver(
    PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath, NDIS_HANDLE MiniportDriverContext,
    PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
    PNDIS_HANDLE NdisMiniportDriverHandle)
{
    static const char ddi[] = "NdisMRegisterMiniportDriver";
    nd_kernel *k = nd_kernel_current();
    nd_ndis *n = nd_kernel_ndis(k);
    if (!n) {
        nd_kernel_violation(k, ddi, "called on a thread bound to no machine with NDIS");
        return NDIS_STATUS_FAILURE;
    }
    if (!NdisMiniportDriverHandle) {
        nd_kernel_violation(k, ddi, "NdisMiniportDriverHandle is NULL");
        return NDIS_STATUS_FAILURE;
    }
    *NdisMiniportDriverHandle = NULL;
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi))
        return NDIS_STATUS_FAILURE;
    ndisdma_driver *drv = DriverObject ? find_loading(n, DriverObject) : NULL;
    if (!drv) {
        nd_kernel_violation(k, ddi, "DriverObject %p is not a driver object being loaded",
                            (void *)DriverObject);
        return NDIS_STATUS_FAILURE;
    }
    if (!drv->in_entry)
        nd_kernel_violation(k, ddi, "called outside DriverEntry");
    if (RegistryPath != &drv->regpath)
        nd_kernel_violation(k, ddi, "RegistryPath is not the one DriverEntry received");
    if (drv->registered) {
        nd_kernel_violation(k, ddi, "the driver is registered already");
        return NDIS_STATUS_FAILURE;
    }
    if (!MiniportDriverCharacteristics) {
        nd_kernel_violation(k, ddi, "MiniportDriverCharacteristics is NULL");
        return NDIS_STATUS_FAILURE;
    }
    NDIS_STATUS st;
    const char *why = check_chars(MiniportDriverCharacteristics, &st);
    if (why) {
        nd_kernel_violation(k, ddi, "characteristics refused: %s%s", why,
                            strchr(why, ' ') ? "" : " is NULL (a required handler)");
        return st;
    }
    memset(&drv->chars, 0, sizeof drv->chars);
    size_t size = MiniportDriverCharacteristics->Header.Size;
    if (size > sizeof drv->chars)
        size = sizeof drv->chars;
    if (MiniportDriverCharacteristics->Header.Revision <
        NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2)
        size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    memcpy(&drv->chars, MiniportDriverCharacteristics, size);
    drv->context = MiniportDriverContext;
    if (!drv->handle_live) {
        if (nd_handle_add(n, &drv->obj, ND_KIND_DRIVER) != 0)
            return NDIS_STATUS_RESOURCES;
        drv->handle_live = true;
    }
    drv->registered = true;
    if (drv->chars.SetOptionsHandler) {
        st = drv->chars.SetOptionsHandler((NDIS_HANDLE)drv, MiniportDriverContext);
        if (st != NDIS_STATUS_SUCCESS) {
            drv->registered = false;
            nd_handle_del(n, &drv->obj);
            drv->handle_live = false;
            return st;
        }
    }
    *NdisMiniportDriverHandle = (NDIS_HANDLE)drv;
    return NDIS_STATUS_SUCCESS;
}

static VOID ddi_body_NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle)
{
    static const char ddi[] = "NdisMDeregisterMiniportDriver";
    ndisdma_driver *drv =
        (ndisdma_driver *)nd_handle_get(NdisMiniportDriverHandle, ND_KIND_DRIVER, ddi);
    if (!drv)
        return;
    nd_kernel *k = drv->n->k;
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi))
        return;
    if (drv->adapters)
        nd_kernel_violation(k, ddi, "adapters of the driver are still started");
    drv->registered = false;
    nd_handle_del(drv->n, &drv->obj);
    drv->handle_live = false;
}

static void unlink_driver(ndisdma_driver *drv)
{
    for (ndisdma_driver **pp = &drv->n->drivers; *pp; pp = &(*pp)->next) {
        if (*pp == drv) {
            *pp = drv->next;
            break;
        }
    }
    /* The driver object goes: so do its extensions. */
    while (drv->exts) {
        nd_drv_ext *e = drv->exts;
        drv->exts = e->next;
        free(e);
    }
}

/* ---- driver-object extensions (the I/O manager's, for miniports) ---- */

/* The loaded driver whose object is @o on the calling thread's machine, or
   NULL (reported for @ddi). */
static ndisdma_driver *driver_of_object(PDRIVER_OBJECT o, const char *ddi)
{
    nd_kernel *k = nd_kernel_current();
    nd_ndis *n = nd_kernel_ndis(k);
    if (!n)
        return NULL;
    for (ndisdma_driver *d = n->drivers; d; d = d->next)
        if (&d->drvobj == o)
            return d;
    nd_verify_report(k, NDISDMA_RULE_HANDLE_UNKNOWN, ddi,
                     "DriverObject %p is not the object of a loaded driver", (void *)o);
    return NULL;
}

static NTSTATUS ddi_body_IoAllocateDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID Id,
                                                         ULONG Size, PVOID *Extension)
{
    static const char ddi[] = "IoAllocateDriverObjectExtension";
    if (Extension)
        *Extension = NULL;
    nd_kernel *k = nd_kernel_current();
    if (!k || !nd_kernel_irql_at_most(k, APC_LEVEL, ddi))
        return STATUS_INVALID_PARAMETER;
    ndisdma_driver *drv = driver_of_object(DriverObject, ddi);
    if (!drv)
        return STATUS_INVALID_PARAMETER;
    if (!Extension || Size == 0) {
        nd_kernel_violation(k, ddi, "%s",
                            Extension ? "DriverObjectExtensionSize is 0"
                                      : "DriverObjectExtension is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    for (nd_drv_ext *e = drv->exts; e; e = e->next)
        if (e->id == Id)
            return STATUS_OBJECT_NAME_COLLISION;
    nd_drv_ext *e = calloc(1, sizeof *e + Size);
    if (!e)
        return STATUS_INSUFFICIENT_RESOURCES;
    e->id = Id;
    e->next = drv->exts;
    drv->exts = e;
    *Extension = e->area;
    return STATUS_SUCCESS;
}

static PVOID ddi_body_IoGetDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID Id)
{
    static const char ddi[] = "IoGetDriverObjectExtension";
    nd_kernel *k = nd_kernel_current();
    if (!k || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    ndisdma_driver *drv = driver_of_object(DriverObject, ddi);
    if (!drv)
        return NULL;
    for (nd_drv_ext *e = drv->exts; e; e = e->next)
        if (e->id == Id)
            return e->area;
    return NULL;
}

NTSTATUS IoAllocateDriverObjectExtension(PDRIVER_OBJECT DriverObject,
                                         PVOID ClientIdentificationAddress,
                                         ULONG DriverObjectExtensionSize,
                                         PVOID *DriverObjectExtension)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(DriverObject), nd_ptr_arg(ClientIdentificationAddress),
                              (uint64_t)DriverObjectExtensionSize,
                              nd_ptr_arg(DriverObjectExtension)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "IoAllocateDriverObjectExtension", 4, args, &sv);
    NTSTATUS r =
        ddi_body_IoAllocateDriverObjectExtension(DriverObject, ClientIdentificationAddress,
                                                 DriverObjectExtensionSize, DriverObjectExtension);
    nd_verify_ddi_leave(k, fast, "IoAllocateDriverObjectExtension", (int64_t)r, &sv);
    return r;
}

PVOID IoGetDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(DriverObject), nd_ptr_arg(ClientIdentificationAddress)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "IoGetDriverObjectExtension", 2, args, &sv);
    PVOID r = ddi_body_IoGetDriverObjectExtension(DriverObject, ClientIdentificationAddress);
    nd_verify_ddi_leave(k, fast, "IoGetDriverObjectExtension", r ? 0 : -1, &sv);
    return r;
}

/* Withdraw a registration the driver left in place, and free driver timers. */
static void drop_leftovers(ndisdma_driver *drv, const char *when)
{
    nd_kernel *k = drv->n->k;
    while (drv->timers) {
        nd_kernel_violation(k, "NdisFreeTimerObject",
                            "a driver timer object is still allocated %s; freed", when);
        nd_timer_release(drv->timers);
    }
    nd_pools_release_owner(drv->n, &drv->obj, when);
    if (drv->registered)
        nd_kernel_violation(k, "NdisMDeregisterMiniportDriver",
                            "the driver is still registered %s; deregistered", when);
    drv->registered = false;
    if (drv->handle_live)
        nd_handle_del(drv->n, &drv->obj);
    drv->handle_live = false;
}

int nd_ndis_driver_load(nd_ndis *n, PDRIVER_INITIALIZE driver_entry, ndisdma_driver **out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    if (!n || !driver_entry)
        return NDISDMA_EINVAL;
    nd_kernel *k = n->k;
    if (nd_kernel_current() == k && nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "ndisdma_driver_load",
                            "called at IRQL %u; host calls need PASSIVE_LEVEL",
                            (unsigned)nd_kernel_irql());
        return NDISDMA_EIRQL;
    }
    ndisdma_driver *drv = calloc(1, sizeof *drv);
    if (!drv)
        return NDISDMA_ENOMEM;
    drv->n = n;
    drv->drvobj.Type = ND_IO_TYPE_DRIVER;
    drv->drvobj.Size = (CSHORT)sizeof drv->drvobj;
    drv->drvobj.DriverInit = driver_entry;
    char path[96];
    int len = snprintf(path, sizeof path,
                       "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\ndisdma%llu",
                       (unsigned long long)n->loads++);
    for (int i = 0; i < len; i++)
        drv->regbuf[i] = (WCHAR)path[i];
    drv->regpath.Buffer = drv->regbuf;
    drv->regpath.Length = (USHORT)(len * 2);
    drv->regpath.MaximumLength = (USHORT)sizeof drv->regbuf;
    drv->drvobj.DriverName = drv->regpath;
    drv->next = n->drivers;
    n->drivers = drv;

    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    drv->in_entry = true;
    NTSTATUS st = driver_entry(&drv->drvobj, &drv->regpath);
    drv->in_entry = false;
    if (nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "DriverEntry", "returned at IRQL %u", (unsigned)nd_kernel_irql());
        nd_kernel_set_irql(PASSIVE_LEVEL);
    }
    int rc = 0;
    if (!NT_SUCCESS(st)) {
        drop_leftovers(drv, "after DriverEntry failed");
        rc = NDISDMA_EINIT;
    } else if (!drv->registered) {
        nd_kernel_violation(k, "DriverEntry",
                            "returned success without registering (NdisMRegisterMiniportDriver)");
        drop_leftovers(drv, "after DriverEntry");
        rc = NDISDMA_EINIT;
    }
    nd_kernel_leave(&saved);
    if (rc != 0) {
        unlink_driver(drv);
        free(drv);
        return rc;
    }
    *out = drv;
    return 0;
}

void nd_driver_unload(ndisdma_driver *drv)
{
    nd_kernel *k = drv->n->k;
    while (drv->adapters)
        nd_adapter_stop(drv->adapters);
    if (drv->registered && drv->chars.UnloadHandler) {
        drv->chars.UnloadHandler(&drv->drvobj);
        if (nd_kernel_irql() != PASSIVE_LEVEL) {
            nd_kernel_violation(k, "MiniportDriverUnload", "returned at IRQL %u",
                                (unsigned)nd_kernel_irql());
            nd_kernel_set_irql(PASSIVE_LEVEL);
        }
    }
    drop_leftovers(drv, "after MiniportDriverUnload");
    unlink_driver(drv);
    free(drv);
}

/*
 * ndisdma_driver_unload - see <ndisdma/host.h>.
 */
void ndisdma_driver_unload(ndisdma_driver *drv)
{
    if (!drv)
        return;
    nd_kernel *k = drv->n->k;
    if (nd_kernel_current() == k && nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "ndisdma_driver_unload",
                            "called at IRQL %u; host calls need PASSIVE_LEVEL",
                            (unsigned)nd_kernel_irql());
        return;
    }
    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    nd_driver_unload(drv);
    nd_kernel_leave(&saved);
}

ndisdma_machine *ndisdma_driver_machine(const ndisdma_driver *drv)
{
    return drv ? nd_kernel_owner(drv->n->k) : NULL;
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_STATUS
NdisMRegisterMiniportDriver(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                            NDIS_HANDLE MiniportDriverContext,
                            PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
                            PNDIS_HANDLE NdisMiniportDriverHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[5] = {
        nd_ptr_arg(DriverObject), nd_ptr_arg(RegistryPath), nd_ptr_arg(MiniportDriverContext),
        nd_ptr_arg(MiniportDriverCharacteristics), nd_ptr_arg(NdisMiniportDriverHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMRegisterMiniportDriver", 5, args, &sv);
    NDIS_STATUS r = ddi_body_NdisMRegisterMiniportDriver(
        DriverObject, RegistryPath, MiniportDriverContext, MiniportDriverCharacteristics,
        NdisMiniportDriverHandle);
    nd_verify_ddi_leave(k, fast, "NdisMRegisterMiniportDriver", (int64_t)r, &sv);
    return r;
}

VOID NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(NdisMiniportDriverHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMDeregisterMiniportDriver", 1, args, &sv);
    ddi_body_NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle);
    nd_verify_ddi_leave(k, fast, "NdisMDeregisterMiniportDriver", 0, &sv);
}
