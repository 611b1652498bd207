// glibc's malloc tuning (mallopt), which the Glibc module does not export; only `projector` imports it.
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
