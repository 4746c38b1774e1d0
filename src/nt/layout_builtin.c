/*
 * Built-in structure offsets, for dumps whose ntoskrnl PDB and ISF are not at hand. Every value
 * cites where it comes from; none is taken from this program's own output.
 *
 * Sources:
 *  [ISF19041] ntkrnlmp.pdb 10.0.19041.804, GUID 5278AFF86C341677D7D7835C85B7B844 age 1, as
 *     published by JPCERTCC/Windows-Symbol-Tables (symbols/windows/ntkrnlmp.pdb/
 *     5278AFF86C341677D7D7835C85B7B844-1.json.xz, BSD-3-Clause): the "offset" of each field.
 *  [NTDIFF2004] ntdiff/headers Win10_2004_20H1/x64/System32/ntdll.dll/Standalone/_EPROCESS.h
 *     (the 2004 kernel's _KPROCESS/_EPROCESS listing): DirectoryTableBase 0x28, CreateTime 0x468,
 *     InheritedFromUniqueProcessId 0x540, Peb 0x550, Session 0x558, ObjectTable 0x570,
 *     WoW64Process 0x580, ImageFileName 0x5a8, ThreadListHead 0x5e0, ActiveThreads 0x5f0.
 *  [KDBG19041] the kernel's own KDDEBUGGER_DATA64 Offset* fields of build 19041 (the block copied
 *     into the corpus triage dump): KTHREAD Teb 0xf0, KernelStack 0x58, InitialStack 0x28,
 *     ApcState.Process 0xb8, State 0x184, NextProcessor 0x218, StackLimit 0x30, StackBase 0x38,
 *     WaitReason 0x283; EPROCESS size 0xa40, Peb 0x550; KPRCB size 0xaf00, CurrentThread 0x8,
 *     IdleThread 0x18, Number 0x24, MHz 0x44, ProcessorState.ContextFrame 0x1f0, Context 0x85c0.
 *  [KLDR] _KLDR_DATA_TABLE_ENTRY as public driver sources declare it (InLoadOrderLinks,
 *     ExceptionTable, ExceptionTableSize, GpValue, NonPagedDebugInfo, DllBase, EntryPoint,
 *     SizeOfImage, FullDllName, BaseDllName, ...; one such declaration is annotated "//0x30
 *     DllBase ... //0x40 SizeOfImage //0x48 FullDllName //0x58 BaseDllName"). With natural
 *     alignment the same prefix puts them at 0x18/0x20/0x24/0x2c on 32-bit Windows. [ISF19041]
 *     agrees for x64.
 *  [PCR] KPCR/KPRCB offsets that QEMU's windbgstub relies on for every Windows version
 *     (OFFSET_KPCR_SELF 0x18 x64 / 0x1c x86, OFFSET_KPRCB 0x20, OFFSET_KPRCB_CURRTHREAD 0x8 x64 /
 *     0x4 x86) and libintro's static_offsets (KPRCB_IDLE_THREAD 0x18 amd64, 0x0c i386). x64
 *     KPCR.Prcb is at 0x180: "!pcr" transcripts of Windows 7 and 10 show Prcb = KPCR + 0x180;
 *     KPCR.Irql 0x50 and NtTib 0x0 as in [ISF19041] and the "dt nt!_KPCR" listings quoted in
 *     public debugging write-ups (+0x050 Irql, +0x180 Prcb).
 * Builds 19042-19045 (20H2 .. 22H2) are enablement releases of the 19041 kernel and share its
 * structure layouts.
 */
#include "nt/layout.h"

#include <stddef.h>

struct builtin_row {
    enum nt_field field;
    uint32_t offset;
    uint32_t width; /* 0: the field's default width */
    uint8_t bit_pos, bit_len;
};

/* Windows 10 2004 .. 22H2 x64 (builds 19041-19045). [ISF19041] unless noted. */
static const struct builtin_row x64_19041[] = {
    {NT_EPROCESS_SIZE, 0xa40, 0xa40, 0, 0},                 /* [KDBG19041] SizeEProcess */
    {NT_EPROCESS_DIRECTORY_TABLE_BASE, 0x28, 8, 0, 0},      /* [NTDIFF2004] */
    {NT_EPROCESS_UNIQUE_PROCESS_ID, 0x440, 8, 0, 0},
    {NT_EPROCESS_ACTIVE_PROCESS_LINKS, 0x448, 16, 0, 0},
    {NT_EPROCESS_CREATE_TIME, 0x468, 8, 0, 0},              /* [NTDIFF2004] */
    {NT_EPROCESS_INHERITED_FROM_UNIQUE_PROCESS_ID, 0x540, 8, 0, 0}, /* [NTDIFF2004] */
    {NT_EPROCESS_PEB, 0x550, 8, 0, 0},                      /* [NTDIFF2004] [KDBG19041] */
    {NT_EPROCESS_SESSION, 0x558, 8, 0, 0},                  /* [NTDIFF2004] */
    {NT_EPROCESS_OBJECT_TABLE, 0x570, 8, 0, 0},             /* [NTDIFF2004] */
    {NT_EPROCESS_IMAGE_FILE_NAME, 0x5a8, 15, 0, 0},         /* [NTDIFF2004] */
    {NT_EPROCESS_THREAD_LIST_HEAD, 0x5e0, 16, 0, 0},        /* [NTDIFF2004] */
    {NT_EPROCESS_ACTIVE_THREADS, 0x5f0, 4, 0, 0},           /* [NTDIFF2004] */
    {NT_EPROCESS_WOW64_PROCESS, 0x580, 8, 0, 0},            /* [NTDIFF2004] */
    {NT_MM_SESSION_SPACE_SESSION_ID, 0x8, 4, 0, 0},
    /* !process flag 1 statistics, [ISF19041]; Vm (_MMSUPPORT_FULL) is at 0x680 and its
     * Instance (_MMSUPPORT_INSTANCE) at its start. */
    {NT_EPROCESS_VAD_ROOT, 0x7d8, 8, 0, 0},
    {NT_EPROCESS_VAD_COUNT, 0x7e8, 8, 0, 0},
    {NT_EPROCESS_CLONE_ROOT, 0x4f0, 8, 0, 0},
    {NT_EPROCESS_PRIVATE_PAGES, 0x4f8, 8, 0, 0},
    {NT_EPROCESS_MODIFIED_PAGES, 0x7d0, 4, 0, 0},
    {NT_EPROCESS_LOCKED_PAGES, 0x500, 8, 0, 0},
    {NT_EPROCESS_DEVICE_MAP, 0x588, 8, 0, 0},
    {NT_EPROCESS_TOKEN, 0x4b8, 8, 0, 0},
    {NT_EPROCESS_USER_TIME, 0x380, 4, 0, 0},
    {NT_EPROCESS_KERNEL_TIME, 0x37c, 4, 0, 0},
    {NT_EPROCESS_BASE_PRIORITY, 0x280, 1, 0, 0},
    {NT_EPROCESS_WORKING_SET_SIZE, 0x708, 8, 0, 0},      /* Vm + 0x88 */
    {NT_EPROCESS_MIN_WORKING_SET_SIZE, 0x6f0, 8, 0, 0},  /* Vm + 0x70 */
    {NT_EPROCESS_MAX_WORKING_SET_SIZE, 0x718, 8, 0, 0},  /* Vm + 0x98 */
    {NT_EPROCESS_PEAK_WORKING_SET_SIZE, 0x720, 8, 0, 0}, /* Vm + 0xa0 */
    {NT_EPROCESS_PAGE_FAULT_COUNT, 0x684, 4, 0, 0},      /* Vm + 0x4 */
    {NT_EPROCESS_VIRTUAL_SIZE, 0x498, 8, 0, 0},
    {NT_EPROCESS_PEAK_VIRTUAL_SIZE, 0x490, 8, 0, 0},
    {NT_EPROCESS_COMMIT_CHARGE, 0x648, 8, 0, 0},
    {NT_EPROCESS_QUOTA_USAGE, 0x470, 16, 0, 0},     /* ProcessQuotaUsage[2] */
    {NT_EPROCESS_MEMORY_PRIORITY, 0x73a, 1, 0, 0},  /* Vm + 0xb8 (Flags) + 0x2 */
    {NT_ETHREAD_SIZE, 0x898, 0x898, 0, 0},                  /* [KDBG19041] SizeEThread */
    {NT_KTHREAD_INITIAL_STACK, 0x28, 8, 0, 0},              /* [KDBG19041] */
    {NT_KTHREAD_STACK_LIMIT, 0x30, 8, 0, 0},                /* [KDBG19041] */
    {NT_KTHREAD_STACK_BASE, 0x38, 8, 0, 0},                 /* [KDBG19041] */
    {NT_KTHREAD_KERNEL_STACK, 0x58, 8, 0, 0},               /* [KDBG19041] */
    {NT_KTHREAD_STATE, 0x184, 1, 0, 0},                     /* [KDBG19041] */
    {NT_KTHREAD_WAIT_REASON, 0x283, 1, 0, 0},               /* [KDBG19041] */
    {NT_KTHREAD_WAIT_MODE, 0x187, 1, 0, 0},
    {NT_KTHREAD_WAIT_IRQL, 0x186, 1, 0, 0},
    {NT_KTHREAD_ALERTABLE, 0x74, 4, 4, 1},                  /* MiscFlags bit 4 */
    {NT_KTHREAD_TEB, 0xf0, 8, 0, 0},                        /* [KDBG19041] */
    {NT_KTHREAD_APC_STATE_PROCESS, 0xb8, 8, 0, 0},          /* [KDBG19041] */
    {NT_KTHREAD_PROCESS, 0x220, 8, 0, 0},
    {NT_KTHREAD_NEXT_PROCESSOR, 0x218, 4, 0, 0},            /* [KDBG19041] */
    {NT_KTHREAD_IDEAL_PROCESSOR, 0x24c, 4, 0, 0},
    {NT_KTHREAD_PRIORITY, 0xc3, 1, 0, 0},
    {NT_KTHREAD_BASE_PRIORITY, 0x233, 1, 0, 0},
    {NT_KTHREAD_PRIORITY_DECREMENT, 0x234, 1, 0, 0},
    {NT_KTHREAD_WAIT_TIME, 0x1b4, 4, 0, 0},
    {NT_KTHREAD_CONTEXT_SWITCHES, 0x154, 4, 0, 0},
    {NT_KTHREAD_KERNEL_TIME, 0x28c, 4, 0, 0},
    {NT_KTHREAD_USER_TIME, 0x2dc, 4, 0, 0},
    {NT_KTHREAD_WIN32_THREAD, 0x1c8, 8, 0, 0},
    {NT_KTHREAD_TRAP_FRAME, 0x90, 8, 0, 0},
    {NT_ETHREAD_CID, 0x478, 16, 0, 0},
    {NT_ETHREAD_THREAD_LIST_ENTRY, 0x4e8, 16, 0, 0},
    {NT_ETHREAD_START_ADDRESS, 0x450, 8, 0, 0},
    {NT_ETHREAD_WIN32_START_ADDRESS, 0x4d0, 8, 0, 0},
    {NT_ETHREAD_IO_PRIORITY, 0x510, 4, 9, 3},               /* CrossThreadFlags bits 9-11 */
    {NT_ETHREAD_PAGE_PRIORITY, 0x510, 4, 12, 3},            /* CrossThreadFlags bits 12-14 */
    {NT_KPCR_MAJOR_VERSION, 0x60, 2, 0, 0},
    {NT_KPCR_MINOR_VERSION, 0x62, 2, 0, 0},
    {NT_KPRCB_SIZE, 0xaf00, 0xaf00, 0, 0},                  /* [KDBG19041] SizePrcb */
    {NT_KPRCB_NUMBER, 0x24, 4, 0, 0},                       /* [KDBG19041] */
    {NT_KPRCB_GROUP, 0xd0, 1, 0, 0},
    {NT_KPRCB_GROUP_INDEX, 0xd1, 1, 0, 0},
    {NT_KPRCB_GROUP_SET_MEMBER, 0xc8, 8, 0, 0},
    {NT_KPRCB_CPU_TYPE, 0x40, 1, 0, 0},
    {NT_KPRCB_CPU_STEP, 0x42, 2, 0, 0},
    {NT_KPRCB_MHZ, 0x44, 4, 0, 0},                          /* [KDBG19041] */
    {NT_KPRCB_VENDOR_STRING, 0x8590, 13, 0, 0},
    {NT_KPRCB_CONTEXT_FRAME, 0x1f0, 0x4d0, 0, 0},           /* [KDBG19041]; an x64 CONTEXT */
    {NT_KPRCB_CONTEXT, 0x85c0, 8, 0, 0},                    /* [KDBG19041] */
    {NT_KPRCB_DEBUGGER_SAVED_IRQL, 0x7e98, 1, 0, 0},
    {NT_KPRCB_INTERRUPT_COUNT, 0x7e80, 4, 0, 0},
    {NT_KPRCB_KERNEL_TIME, 0x7e84, 4, 0, 0},
    {NT_KPRCB_USER_TIME, 0x7e88, 4, 0, 0},
    {NT_KPRCB_DPC_TIME, 0x7e8c, 4, 0, 0},
    {NT_KPRCB_INTERRUPT_TIME, 0x7e90, 4, 0, 0},
};

/* x64, every build. [PCR] [KLDR] */
static const struct builtin_row x64_stable[] = {
    {NT_KPCR_NT_TIB, 0x0, 0x38, 0, 0},
    {NT_KPCR_SELF, 0x18, 8, 0, 0},
    {NT_KPCR_CURRENT_PRCB, 0x20, 8, 0, 0},
    {NT_KPCR_IRQL, 0x50, 1, 0, 0},
    {NT_KPCR_PRCB, 0x180, 0, 0, 0},
    {NT_KPRCB_CURRENT_THREAD, 0x8, 8, 0, 0},
    {NT_KPRCB_NEXT_THREAD, 0x10, 8, 0, 0},
    {NT_KPRCB_IDLE_THREAD, 0x18, 8, 0, 0},
    {NT_LDR_DLL_BASE, 0x30, 8, 0, 0},
    {NT_LDR_SIZE_OF_IMAGE, 0x40, 4, 0, 0},
    {NT_LDR_FULL_DLL_NAME, 0x48, 16, 0, 0},
    {NT_LDR_BASE_DLL_NAME, 0x58, 16, 0, 0},
};

/* x86, every build. [PCR] [KLDR] */
static const struct builtin_row x86_stable[] = {
    {NT_KPCR_NT_TIB, 0x0, 0x1c, 0, 0},
    {NT_KPCR_SELF, 0x1c, 4, 0, 0},
    {NT_KPCR_CURRENT_PRCB, 0x20, 4, 0, 0},
    {NT_KPRCB_CURRENT_THREAD, 0x4, 4, 0, 0},
    {NT_KPRCB_IDLE_THREAD, 0xc, 4, 0, 0},
    {NT_LDR_DLL_BASE, 0x18, 4, 0, 0},
    {NT_LDR_SIZE_OF_IMAGE, 0x20, 4, 0, 0},
    {NT_LDR_FULL_DLL_NAME, 0x24, 8, 0, 0},
    {NT_LDR_BASE_DLL_NAME, 0x2c, 8, 0, 0},
};

/* x64/ARM64 share the 64-bit loader entry; ARM64's PCR differs, so only [KLDR] applies. */
static const struct builtin_row ldr64_stable[] = {
    {NT_LDR_DLL_BASE, 0x30, 8, 0, 0},
    {NT_LDR_SIZE_OF_IMAGE, 0x40, 4, 0, 0},
    {NT_LDR_FULL_DLL_NAME, 0x48, 16, 0, 0},
    {NT_LDR_BASE_DLL_NAME, 0x58, 16, 0, 0},
};

static const struct builtin_row ldr32_stable[] = {
    {NT_LDR_DLL_BASE, 0x18, 4, 0, 0},
    {NT_LDR_SIZE_OF_IMAGE, 0x20, 4, 0, 0},
    {NT_LDR_FULL_DLL_NAME, 0x24, 8, 0, 0},
    {NT_LDR_BASE_DLL_NAME, 0x2c, 8, 0, 0},
};

static bool find_row(const struct builtin_row *rows, size_t n, enum nt_field f,
                     struct nt_layout_hit *ret)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].field == f) {
            *ret = (struct nt_layout_hit){.offset = rows[i].offset,
                                          .width = rows[i].width,
                                          .bit_pos = rows[i].bit_pos,
                                          .bit_len = rows[i].bit_len};
            return true;
        }
    return false;
}

#define ROWS(a) (a), sizeof(a) / sizeof((a)[0])

bool nt_layout_builtin(enum dd_cpu cpu, uint32_t build, enum nt_field f, struct nt_layout_hit *ret)
{
    switch (cpu) {
    case DD_CPU_X64:
        if (build >= 19041 && build <= 19045 && find_row(ROWS(x64_19041), f, ret))
            return true;
        return find_row(ROWS(x64_stable), f, ret);
    case DD_CPU_X86:
        return find_row(ROWS(x86_stable), f, ret);
    case DD_CPU_ARM64:
        return find_row(ROWS(ldr64_stable), f, ret);
    case DD_CPU_ARM:
        return find_row(ROWS(ldr32_stable), f, ret);
    case DD_CPU_UNKNOWN:
        break;
    }
    return false;
}
