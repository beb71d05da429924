/*
 * ndisdma error codes.
 *
 * Every host API function that can fail returns an int: 0 on success, a
 * negative NDISDMA_E* code otherwise. ndisdma_strerror() turns a code into a
 * fixed English message. The list is one X-macro so that the enum, the names
 * and the messages can never drift apart; later layers append to it.
 */
#ifndef NDISDMA_ERRORS_H
#define NDISDMA_ERRORS_H

/* X(NAME, value, message) */
#define NDISDMA_ERROR_LIST(X)                                                                      \
    X(OK, 0, "success")                                                                            \
    X(EINVAL, -1, "invalid argument")                                                              \
    X(ENOMEM, -2, "out of memory")                                                                 \
    X(ERANGE, -3, "physical address range outside simulated RAM")                                  \
    X(ECHANNEL, -4, "no such DMA channel, or the channel cannot take a device")                    \
    X(EBUSY, -5, "resource already in use")                                                        \
    X(ENODEV, -6, "no device attached")                                                            \
    X(ENOSPC, -7, "no free slot left")                                                             \
    X(ENOENT, -8, "no such object")                                                                \
    X(EIRQL, -9, "called at the wrong IRQL")                                                       \
    X(ESTATE, -10, "operation not valid in the current state")                                     \
    X(EINIT, -11, "driver initialisation failed")                                                  \
    X(EIO, -12, "input/output error (writing a trace)")

enum ndisdma_error {
#define NDISDMA_X_ENUM(name, value, msg) NDISDMA_##name = (value),
    NDISDMA_ERROR_LIST(NDISDMA_X_ENUM)
#undef NDISDMA_X_ENUM
};

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ndisdma_strerror - message for an error code.
 * @err: 0 or a negative NDISDMA_E* code; any other value gives
 *       "unknown error".
 * Returns a static string; never NULL. Any thread, any context.
 */
const char *ndisdma_strerror(int err);

/*
 * ndisdma_errname - symbolic name of an error code ("NDISDMA_EINVAL").
 * Returns a static string; "NDISDMA_E?" for an unknown code.
 */
const char *ndisdma_errname(int err);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_ERRORS_H */
