/* The data-offset rules of mn_payload.h, as a pure function the harness tests for every protocol and direction. */
#include "mn_payload.h"

_Use_decl_annotations_
BOOLEAN mn_payload_bytes(UINT8 direction, UINT8 protocol, ULONG data_length, BOOLEAN header_size_known,
                         UINT32 header_size, UINT32 *payload_bytes)
{
    BOOLEAN header_in_buffer = (BOOLEAN)(direction == FWP_DIRECTION_OUTBOUND || protocol == MN_IPPROTO_ICMP ||
                                         protocol == MN_IPPROTO_ICMPV6);

    *payload_bytes = 0;
    if (!header_in_buffer) {
        *payload_bytes = (UINT32)data_length;
        return TRUE;
    }
    if (!header_size_known) {
        return FALSE;
    }
    *payload_bytes = data_length > header_size ? (UINT32)(data_length - header_size) : 0;
    return TRUE;
}
