/* The scenario table; each name is also a CTest test (CMakeLists.txt). */
#pragma once

void flow_lifecycle_totals_match_packets(void);
void packet_without_flow_has_zero_ids(void);
void metadata_absent_gives_zero_pid_and_empty_path(void);
void metadata_without_flow_handle_writes_nothing(void);
void malformed_values_write_nothing(void);
void ipv6_flow_end_to_end(void);
void context_allocation_failure_is_counted(void);
void association_failure_keeps_other_layer(void);
void outbound_payload_excludes_transport_header(void);
void inspection_never_blocks(void);
void unload_with_live_flows_frees_each_once(void);
void unload_order_filters_contexts_callouts_engine_provider(void);
void unload_with_pending_context_removal_waits(void);
void unload_retries_busy_callout_unregister(void);
void driver_entry_failures_undo_everything(void);
void reload_after_unload_starts_clean(void);
void provider_disabled_builds_no_event(void);
void packet_keyword_off_still_counts_flows(void);
void events_match_contract(void);
void health_events_report_counters(void);
void device_has_no_name(void);
void driver_health_event_every_interval_until_unload(void);
void payload_bytes_follow_data_offset_rules(void);
void flow_bytes_exact_for_every_protocol_and_direction(void);
void missing_header_size_is_counted_never_payload(void);
void handshake_packets_before_flow_are_counted_without_flow(void);
void race_flow_established_interleaved_with_unload(void);
void race_removal_before_association_completes(void);
void unload_past_its_bound_reports_and_keeps_waiting(void);
void flow_stats_long_flow_one_record_per_interval(void);
void flow_stats_idle_flow_gets_no_repeats(void);
void flow_stats_unload_mid_interval(void);
void flow_stats_provider_off_writes_nothing(void);
void flow_stats_sweep_covers_more_flows_than_a_batch(void);
void unload_waits_for_a_classify_in_flight(void);
void unload_unregister_busy_while_contexts_exist(void);
void repeated_load_and_unload(void);
void stand_in_enforces_irql_rules(void);
void flow_established_before_listener_is_counted_from_enable(void);
void blocked_packets_are_not_counted(void);
void flow_records_match_the_shared_cases(void);

static const struct { const char *name; void (*run)(void); } k_scenarios[] = {
#define SCENARIO(n) {#n, n}
    SCENARIO(flow_lifecycle_totals_match_packets),
    SCENARIO(packet_without_flow_has_zero_ids),
    SCENARIO(metadata_absent_gives_zero_pid_and_empty_path),
    SCENARIO(metadata_without_flow_handle_writes_nothing),
    SCENARIO(malformed_values_write_nothing),
    SCENARIO(ipv6_flow_end_to_end),
    SCENARIO(context_allocation_failure_is_counted),
    SCENARIO(association_failure_keeps_other_layer),
    SCENARIO(outbound_payload_excludes_transport_header),
    SCENARIO(inspection_never_blocks),
    SCENARIO(unload_with_live_flows_frees_each_once),
    SCENARIO(unload_order_filters_contexts_callouts_engine_provider),
    SCENARIO(unload_with_pending_context_removal_waits),
    SCENARIO(unload_retries_busy_callout_unregister),
    SCENARIO(driver_entry_failures_undo_everything),
    SCENARIO(reload_after_unload_starts_clean),
    SCENARIO(provider_disabled_builds_no_event),
    SCENARIO(packet_keyword_off_still_counts_flows),
    SCENARIO(events_match_contract),
    SCENARIO(health_events_report_counters),
    SCENARIO(device_has_no_name),
    SCENARIO(driver_health_event_every_interval_until_unload),
    SCENARIO(payload_bytes_follow_data_offset_rules),
    SCENARIO(flow_bytes_exact_for_every_protocol_and_direction),
    SCENARIO(missing_header_size_is_counted_never_payload),
    SCENARIO(handshake_packets_before_flow_are_counted_without_flow),
    SCENARIO(race_flow_established_interleaved_with_unload),
    SCENARIO(race_removal_before_association_completes),
    SCENARIO(unload_past_its_bound_reports_and_keeps_waiting),
    SCENARIO(flow_stats_long_flow_one_record_per_interval),
    SCENARIO(flow_stats_idle_flow_gets_no_repeats),
    SCENARIO(flow_stats_unload_mid_interval),
    SCENARIO(flow_stats_provider_off_writes_nothing),
    SCENARIO(flow_stats_sweep_covers_more_flows_than_a_batch),
    SCENARIO(unload_waits_for_a_classify_in_flight),
    SCENARIO(unload_unregister_busy_while_contexts_exist),
    SCENARIO(repeated_load_and_unload),
    SCENARIO(stand_in_enforces_irql_rules),
    SCENARIO(flow_established_before_listener_is_counted_from_enable),
    SCENARIO(blocked_packets_are_not_counted),
    SCENARIO(flow_records_match_the_shared_cases),
#undef SCENARIO
};
