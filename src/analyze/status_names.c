#include "analyze/status_names.h"

#include <stddef.h>

struct status_text {
    uint32_t code;
    const char *text;
};

/* Descriptions WinDbg shows in .exr and in the event line (ntstatus.h codes). */
static const struct status_text exception_texts[] = {
    {0x80000001u, "Guard page violation"},
    {0x80000002u, "Data misaligned"},
    {0x80000003u, "Break instruction exception"},
    {0x80000004u, "Single step exception"},
    {0xc0000005u, "Access violation"},
    {0xc0000006u, "In-page I/O error"},
    {0xc0000008u, "Invalid handle"},
    {0xc000001du, "Illegal instruction"},
    {0xc0000025u, "Non-continuable exception"},
    {0xc0000026u, "Invalid exception disposition"},
    {0xc000008cu, "Array bounds exceeded"},
    {0xc000008du, "Floating-point denormal operand"},
    {0xc000008eu, "Floating-point division by zero"},
    {0xc000008fu, "Floating-point inexact result"},
    {0xc0000090u, "Floating-point invalid operation"},
    {0xc0000091u, "Floating-point overflow"},
    {0xc0000092u, "Floating-point stack check"},
    {0xc0000093u, "Floating-point underflow"},
    {0xc0000094u, "Integer divide-by-zero"},
    {0xc0000095u, "Integer overflow"},
    {0xc0000096u, "Privileged instruction"},
    {0xc00000fdu, "Stack overflow"},
    {0xc0000135u, "Unable to locate DLL"},
    {0xc0000138u, "Ordinal not found"},
    {0xc0000139u, "Entry point not found"},
    {0xc0000142u, "DLL initialization failed"},
    {0xc0000194u, "Possible deadlock condition"},
    {0xc0000374u, "A heap has been corrupted"},
    {0xc0000409u, "Security check failure or stack buffer overrun"},
    {0xc0000417u, "Invalid parameter passed to C runtime function"},
    {0xc0000420u, "Assertion failure"},
    {0x40010005u, "Control-C exception"},
    {0x40010008u, "Control-Break exception"},
    {0x406d1388u, "Visual C++ thread name exception"},
    {0xe06d7363u, "C++ EH exception"},
    {0xe0434352u, "CLR exception"},
    {0xe0434f4du, "CLR exception"},
};

const char *status_exception_text(uint32_t code)
{
    for (size_t i = 0; i < sizeof(exception_texts) / sizeof(exception_texts[0]); i++)
        if (exception_texts[i].code == code)
            return exception_texts[i].text;
    return NULL;
}

/* FAST_FAIL_* codes, winnt.h. */
static const char *const fastfail_names[] = {
    "FAST_FAIL_LEGACY_GS_VIOLATION",
    "FAST_FAIL_VTGUARD_CHECK_FAILURE",
    "FAST_FAIL_STACK_COOKIE_CHECK_FAILURE",
    "FAST_FAIL_CORRUPT_LIST_ENTRY",
    "FAST_FAIL_INCORRECT_STACK",
    "FAST_FAIL_INVALID_ARG",
    "FAST_FAIL_GS_COOKIE_INIT",
    "FAST_FAIL_FATAL_APP_EXIT",
    "FAST_FAIL_RANGE_CHECK_FAILURE",
    "FAST_FAIL_UNSAFE_REGISTRY_ACCESS",
    "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE",
    "FAST_FAIL_GUARD_WRITE_CHECK_FAILURE",
    "FAST_FAIL_INVALID_FIBER_SWITCH",
    "FAST_FAIL_INVALID_SET_OF_CONTEXT",
    "FAST_FAIL_INVALID_REFERENCE_COUNT",
    NULL, /* 15 is unused */
    NULL, /* 16 is unused */
    NULL, /* 17 is unused */
    "FAST_FAIL_INVALID_JUMP_BUFFER",
    "FAST_FAIL_MRDATA_MODIFIED",
    "FAST_FAIL_CERTIFICATION_FAILURE",
    "FAST_FAIL_INVALID_EXCEPTION_CHAIN",
    "FAST_FAIL_CRYPTO_LIBRARY",
    "FAST_FAIL_INVALID_CALL_IN_DLL_CALLOUT",
    "FAST_FAIL_INVALID_IMAGE_BASE",
    "FAST_FAIL_DLOAD_PROTECTION_FAILURE",
    "FAST_FAIL_UNSAFE_EXTENSION_CALL",
    "FAST_FAIL_DEPRECATED_SERVICE_INVOKED",
    "FAST_FAIL_INVALID_BUFFER_ACCESS",
    "FAST_FAIL_INVALID_BALANCED_TREE",
    "FAST_FAIL_INVALID_NEXT_THREAD",
    "FAST_FAIL_GUARD_ICALL_CHECK_SUPPRESSED",
    "FAST_FAIL_APCS_DISABLED",
    "FAST_FAIL_INVALID_IDLE_STATE",
    "FAST_FAIL_MRDATA_PROTECTION_FAILURE",
    "FAST_FAIL_UNEXPECTED_HEAP_EXCEPTION",
    "FAST_FAIL_INVALID_LOCK_STATE",
    "FAST_FAIL_GUARD_JUMPTABLE",
    "FAST_FAIL_INVALID_LONGJUMP_TARGET",
    "FAST_FAIL_INVALID_DISPATCH_CONTEXT",
    "FAST_FAIL_INVALID_THREAD",
    "FAST_FAIL_INVALID_SYSCALL_NUMBER",
    "FAST_FAIL_INVALID_FILE_OPERATION",
    "FAST_FAIL_LPAC_ACCESS_DENIED",
    "FAST_FAIL_GUARD_SS_FAILURE",
    "FAST_FAIL_LOADER_CONTINUITY_FAILURE",
    "FAST_FAIL_GUARD_EXPORT_SUPPRESSION_FAILURE",
    "FAST_FAIL_INVALID_CONTROL_STACK",
    "FAST_FAIL_SET_CONTEXT_DENIED",
    "FAST_FAIL_INVALID_IAT",
    "FAST_FAIL_HEAP_METADATA_CORRUPTION",
    "FAST_FAIL_PAYLOAD_RESTRICTION_VIOLATION",
    "FAST_FAIL_LOW_LABEL_ACCESS_DENIED",
    "FAST_FAIL_ENCLAVE_CALL_FAILURE",
    "FAST_FAIL_UNHANDLED_LSS_EXCEPTON",
    "FAST_FAIL_ADMINLESS_ACCESS_DENIED",
    "FAST_FAIL_UNEXPECTED_CALL",
    "FAST_FAIL_CONTROL_INVALID_RETURN_ADDRESS",
    "FAST_FAIL_UNEXPECTED_HOST_BEHAVIOR",
    "FAST_FAIL_FLAGS_CORRUPTION",
    "FAST_FAIL_VEH_CORRUPTION",
    "FAST_FAIL_ETW_CORRUPTION",
    "FAST_FAIL_RIO_ABORT",
    "FAST_FAIL_INVALID_PFN",
    "FAST_FAIL_GUARD_ICALL_CHECK_FAILURE_XFG",
    "FAST_FAIL_CAST_GUARD",
    "FAST_FAIL_HOST_VISIBILITY_CHANGE",
    "FAST_FAIL_KERNEL_CET_SHADOW_STACK_ASSIST",
    "FAST_FAIL_PATCH_CALLBACK_FAILED",
    "FAST_FAIL_NTDLL_PATCH_FAILED",
    "FAST_FAIL_INVALID_FLS_DATA",
};

const char *status_fastfail_name(uint64_t code)
{
    if (code == 0xffffffffu)
        return "FAST_FAIL_INVALID_FAST_FAIL_CODE";
    if (code < sizeof(fastfail_names) / sizeof(fastfail_names[0]))
        return fastfail_names[code];
    return NULL;
}
