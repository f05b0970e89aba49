/* No NDIS### version macro: the real ndis.h stops with #error on ARM64; the stand-in must too. */
#include "ntifs.h"
#include "fwpsk.h"
