/*
 * Payload bytes of one NET_BUFFER at a transport layer, by WFP's data-offset rules
 * (learn.microsoft.com/windows-hardware/drivers/network/data-offset-positions):
 * - INBOUND_TRANSPORT: the offset is at the data for TCP and UDP, but at the ICMP header for ICMP and ICMPv6;
 * - OUTBOUND_TRANSPORT: the offset is at the transport header, for every protocol.
 * Where the header is in the buffer, its size comes from the FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE metadata;
 * without it the size is unknown, and the packet is counted with 0 payload bytes, never with the header as payload.
 * One NET_BUFFER is one packet as the stack hands it to WFP: LSO sends and RSC receives are counted as one.
 */
#pragma once
#include "mn_wdk.h"

#define MN_IPPROTO_ICMP 1
#define MN_IPPROTO_ICMPV6 58

/* FALSE when the transport header is in the buffer but its size is unknown (*payload_bytes is then 0). */
_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_
BOOLEAN mn_payload_bytes(_In_ UINT8 direction, _In_ UINT8 protocol, _In_ ULONG data_length, _In_ BOOLEAN header_size_known,
                         _In_ UINT32 header_size, _Out_ UINT32 *payload_bytes);
