/*
 * Driver entry and unload. A non-PnP WDM driver: it creates one unnamed device object (WFP needs it to register
 * callouts) with no symbolic link and no dispatch routines, so no user-mode program can open it. Everything it
 * reports goes out through the MonitorNetwork ETW provider.
 */
#include "mn_wdk.h"
#include "mn_flow.h"
#include "mn_flow_stats.h"
#include "mn_health.h"
#include "mn_trace.h"
#include "mn_wfp.h"

#define MN_DRIVER_VERSION 0x00010000 /* 1.0 */

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD mn_driver_unload;

static PDEVICE_OBJECT g_device;

_Function_class_(DRIVER_UNLOAD) _IRQL_requires_max_(PASSIVE_LEVEL)
static void mn_driver_unload(_In_ PDRIVER_OBJECT driver)
{
    mn_health_counters counters;

    UNREFERENCED_PARAMETER(driver);
    mn_health_stop();
    mn_flow_stats_stop(); /* no sweep during removal: each flow's end writes its own last FlowStats */
    mn_wfp_stop(); /* filters, then flow contexts, then callouts, then the engine */
    mn_flows_health(&counters);
    mn_trace_driver_stopping(&counters);
    mn_flows_uninit();
    if (g_device != NULL) {
        IoDeleteDevice(g_device);
        g_device = NULL;
    }
    TraceLoggingUnregister(g_mn_trace_provider); /* last: the steps above may still write events */
}

_Function_class_(DRIVER_INITIALIZE) _IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT driver, _In_ PUNICODE_STRING registry_path)
{
    NTSTATUS status;
    BOOLEAN provider_registered = FALSE;
    BOOLEAN flows_ready = FALSE;

    UNREFERENCED_PARAMETER(registry_path);

    status = TraceLoggingRegister(g_mn_trace_provider);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    provider_registered = TRUE;

    status = mn_flows_init();
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }
    flows_ready = TRUE;

    /* Unnamed and without a symbolic link: it exists only so WFP can register callouts against it. */
    status = IoCreateDevice(driver, 0, NULL, FILE_DEVICE_NETWORK, FILE_DEVICE_SECURE_OPEN, FALSE, &g_device);
    if (!NT_SUCCESS(status)) {
        g_device = NULL;
        goto Exit;
    }

    status = mn_wfp_start(g_device);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }

    driver->DriverUnload = mn_driver_unload;
    mn_trace_driver_started(MN_DRIVER_VERSION, MN_CALLOUT_COUNT);
    mn_health_start();
    mn_flow_stats_start();

Exit:
    if (!NT_SUCCESS(status)) {
        if (g_device != NULL) {
            IoDeleteDevice(g_device);
            g_device = NULL;
        }
        if (flows_ready) {
            mn_flows_uninit();
        }
        if (provider_registered) {
            TraceLoggingUnregister(g_mn_trace_provider);
        }
    }
    return status;
}
