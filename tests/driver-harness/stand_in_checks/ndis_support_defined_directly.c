/* NDIS_SUPPORT_NDIS6 is ndis.h's to derive; the first driver defined it instead of a version macro. */
#define NDIS_SUPPORT_NDIS6 1
#include "ntifs.h"
#include "fwpsk.h"
