/* Messages and names of the error codes of <ndisdma/errors.h>. */
#include <ndisdma/errors.h>

const char *ndisdma_strerror(int err)
{
    switch (err) {
#define X(name, value, msg)                                                                        \
    case value:                                                                                    \
        return msg;
        NDISDMA_ERROR_LIST(X)
#undef X
    default:
        return "unknown error";
    }
}

const char *ndisdma_errname(int err)
{
    switch (err) {
#define X(name, value, msg)                                                                        \
    case value:                                                                                    \
        return "NDISDMA_" #name;
        NDISDMA_ERROR_LIST(X)
#undef X
    default:
        return "NDISDMA_E?";
    }
}
