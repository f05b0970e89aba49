/*
 * Test-only stand-in for the parts of <ntddk.h> the MonitorNetwork driver uses, so its real sources compile
 * and run on Linux in the host harness. Types follow the WDK documentation (learn.microsoft.com/windows-hardware/
 * drivers/ddi/wdm); behaviour is implemented in fake_kernel.c with checks the real kernel would not make
 * (double free, IRQL misuse of the spin lock, leaks) so that the harness catches driver bugs.
 * Never shipped, never built into the driver.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <string.h>

/* ---- SAL and IRQL annotations: meaningful to the WDK's code analysis, empty here. ---- */
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_reads_bytes_(n)
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _Out_writes_(n)
#define _Ret_maybenull_
#define _Must_inspect_result_
#define _Success_(x)
#define _Use_decl_annotations_
#define _Function_class_(x)
#define _IRQL_requires_max_(x)
#define _IRQL_requires_(x)
#define _IRQL_requires_same_
#define _IRQL_raises_(x)
#define _IRQL_saves_
#define _IRQL_restores_
#define _Requires_lock_held_(x)
#define _Requires_lock_not_held_(x)
#define _Acquires_lock_(x)
#define _Releases_lock_(x)
#define _Guarded_by_(x)
#define _Interlocked_
#define _Dispatch_type_(x)
#define NTAPI
#define FORCEINLINE static inline
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define INIT_SECTION
#define PAGED_CODE() ((void)0)

/* ---- Base types (ntdef.h / basetsd.h) ---- */
typedef int32_t LONG, NTSTATUS, *PLONG;
typedef uint32_t ULONG, *PULONG, UINT32, DWORD;
typedef int64_t LONG64, LONGLONG, *PLONG64;
typedef uint64_t ULONG64, ULONGLONG, UINT64, ULONG_PTR, SIZE_T;
typedef uint16_t USHORT, UINT16, WCHAR, *PWCHAR, *PWSTR;
typedef const uint16_t *PCWSTR;
typedef uint8_t UCHAR, UINT8, BOOLEAN, BYTE;
typedef int8_t CHAR;
typedef int INT;
typedef unsigned int UINT;
typedef void VOID, *PVOID, *HANDLE;
typedef HANDLE *PHANDLE;
typedef uint8_t KIRQL;
typedef KIRQL *PKIRQL;
#define TRUE 1
#define FALSE 0

typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
static inline int IsEqualGUID(const GUID *a, const GUID *b) { return memcmp(a, b, sizeof(GUID)) == 0; }

typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

/* ---- NTSTATUS values (ntstatus.h) ---- */
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_TIMEOUT ((NTSTATUS)0x00000102L)
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_BUSY ((NTSTATUS)0x80000011L)
#define STATUS_NOT_FOUND ((NTSTATUS)0xC0000225L)
#define NT_SUCCESS(s) (((NTSTATUS)(s)) >= 0)

/* ---- IRQL ---- */
#define PASSIVE_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
KIRQL KeGetCurrentIrql(void);

/* ---- Doubly linked lists (wdm.h) ---- */
typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;
FORCEINLINE void InitializeListHead(PLIST_ENTRY h) { h->Flink = h->Blink = h; }
FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *h) { return (BOOLEAN)(h->Flink == h); }
FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY e)
{
    PLIST_ENTRY f = e->Flink, b = e->Blink;
    b->Flink = f;
    f->Blink = b;
    return (BOOLEAN)(f == b);
}
FORCEINLINE void InsertTailList(PLIST_ENTRY h, PLIST_ENTRY e)
{
    PLIST_ENTRY b = h->Blink;
    e->Flink = h;
    e->Blink = b;
    b->Flink = e;
    h->Blink = e;
}
#define CONTAINING_RECORD(address, type, field) ((type *)((char *)(address) - offsetof(type, field)))

/* ---- Interlocked (wdm.h): real atomics, since the race scenarios run the driver on several threads. ---- */
#define InterlockedIncrement(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedDecrement(p) __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedIncrement64(p) __atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedDecrement64(p) __atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define InterlockedAdd64(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define InterlockedExchange(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
static inline LONG InterlockedCompareExchange(volatile LONG *p, LONG exchange, LONG comparand)
{
    __atomic_compare_exchange_n(p, &comparand, exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return comparand;
}
static inline LONG64 InterlockedCompareExchange64(volatile LONG64 *p, LONG64 exchange, LONG64 comparand)
{
    __atomic_compare_exchange_n(p, &comparand, exchange, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return comparand;
}
#define ReadNoFence64(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ReadNoFence(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ReadBooleanNoFence(p) __atomic_load_n((p), __ATOMIC_RELAXED)

/* ---- Spin locks ---- */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
void KeInitializeSpinLock(PKSPIN_LOCK lock);
void KeAcquireSpinLock(PKSPIN_LOCK lock, PKIRQL old_irql);
void KeReleaseSpinLock(PKSPIN_LOCK lock, KIRQL new_irql);

/* ---- Events and waits ---- */
typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef struct _KEVENT { LONG signaled; } KEVENT, *PKEVENT;
typedef struct _LARGE_INTEGER { LONGLONG QuadPart; } LARGE_INTEGER, *PLARGE_INTEGER;
typedef enum _KWAIT_REASON { Executive } KWAIT_REASON;
typedef CHAR KPROCESSOR_MODE;
#define KernelMode 0
void KeInitializeEvent(PKEVENT event, EVENT_TYPE type, BOOLEAN state);
LONG KeSetEvent(PKEVENT event, LONG increment, BOOLEAN wait);
void KeClearEvent(PKEVENT event);
NTSTATUS KeWaitForSingleObject(PVOID object, KWAIT_REASON reason, KPROCESSOR_MODE mode, BOOLEAN alertable, PLARGE_INTEGER timeout);
NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE mode, BOOLEAN alertable, PLARGE_INTEGER interval);
#define IO_NO_INCREMENT 0

/* ---- Time (wdm.h, NTDDI_WIN8 and later): 100 ns units since 1601-01-01 UTC. The harness sets the clock. ---- */
void KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);

/* ---- Timers and DPCs (wdm.h). KDEFERRED_ROUTINE is a function type there, PKDEFERRED_ROUTINE the pointer. ---- */
struct _KDPC;
typedef void KDEFERRED_ROUTINE(struct _KDPC *Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;
typedef struct _KDPC { PKDEFERRED_ROUTINE routine; PVOID context; } KDPC, *PKDPC, *PRKDPC;
typedef enum _TIMER_TYPE { NotificationTimer, SynchronizationTimer } TIMER_TYPE;
typedef struct _KTIMER { BOOLEAN initialized; BOOLEAN set; LONG period_ms; PKDPC dpc; } KTIMER, *PKTIMER;
void KeInitializeDpc(PRKDPC dpc, PKDEFERRED_ROUTINE routine, PVOID context);
void KeInitializeTimerEx(PKTIMER timer, TIMER_TYPE type);
BOOLEAN KeSetTimerEx(PKTIMER timer, LARGE_INTEGER due_time, LONG period, PKDPC dpc);
BOOLEAN KeCancelTimer(PKTIMER timer);
void KeFlushQueuedDpcs(void);

/* ---- Lookaside lists (LOOKASIDE_LIST_EX) and pool ---- */
typedef enum _POOL_TYPE { NonPagedPool = 0, NonPagedPoolNx = 512 } POOL_TYPE;
typedef struct _LOOKASIDE_LIST_EX {
    SIZE_T size;
    ULONG tag;
    LONG outstanding;
    BOOLEAN initialized;
} LOOKASIDE_LIST_EX, *PLOOKASIDE_LIST_EX;
#define POOL_NX_ALLOCATION 0x200
NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX list, PVOID allocate, PVOID free, POOL_TYPE pool_type,
                                     ULONG flags, SIZE_T size, ULONG tag, USHORT depth);
PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX list);
void ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX list, PVOID entry);
void ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX list);

/* ---- Driver and device objects: only what DriverEntry/Unload touch. ---- */
typedef struct _DEVICE_OBJECT { int unused; } DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT {
    PDEVICE_OBJECT DeviceObject;
    void (*DriverUnload)(struct _DRIVER_OBJECT *);
} DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef ULONG DEVICE_TYPE;
#define FILE_DEVICE_NETWORK 0x00000012
#define FILE_DEVICE_SECURE_OPEN 0x00000100
NTSTATUS IoCreateDevice(PDRIVER_OBJECT driver, ULONG extension_size, PUNICODE_STRING name, DEVICE_TYPE type,
                        ULONG characteristics, BOOLEAN exclusive, PDEVICE_OBJECT *device);
void IoDeleteDevice(PDEVICE_OBJECT device);
typedef NTSTATUS DRIVER_INITIALIZE(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path);
typedef void DRIVER_UNLOAD(PDRIVER_OBJECT driver);

#define RtlZeroMemory(d, n) memset((d), 0, (n))
#define RtlCopyMemory(d, s, n) memcpy((d), (s), (n))
