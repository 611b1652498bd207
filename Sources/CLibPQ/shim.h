#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
// The one place that includes libpq; only the Postgres module imports CLibPQ.
#include <libpq-fe.h>
#include <poll.h>
#endif
