/*
 * dv/kp value formatting of simple types (cvinfo.h simple type indices: T_INT4 0x74, T_UINT4
 * 0x75, T_RCHAR 0x70, T_UCHAR 0x20, T_BOOL08 0x30, T_INT8 0x13, T_64PRCHAR 0x670 = 64-bit
 * pointer to char), with expectations from WinDbg's dv conventions (0n decimal for signed, hex for
 * unsigned, quoted strings after char pointers).
 */
#include <string.h>

#include "check.h"
#include "cmd/cmd_vars.h"

static struct dd_error *fake_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    static const char text[] = "hello";
    (void)ctx;
    if (addr < 0x1000 || addr - 0x1000 + n > sizeof(text))
        return dd_error_create(DD_ERR_MEMORY, "memory at 0x%llx", (unsigned long long)addr);
    memcpy(buf, text + (addr - 0x1000), n);
    return NULL;
}

static void format(uint32_t type, uint64_t v, char *ret, size_t len)
{
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(v >> (8 * i));
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    struct cmd_dt_memory mem = {fake_read, NULL, 8};
    cmd_value_format(NULL, type, bytes, sizeof(bytes), &mem, &w);
    snprintf(ret, len, "%.*s", (int)sb.len, sb.data ? sb.data : "");
    dd_strbuf_deinit(&sb);
}

TEST(cmd_value_primitives)
{
    char buf[128];
    format(0x74, (uint32_t)-5, buf, sizeof(buf));
    CHECK_STR(buf, "0n-5");
    format(0x75, 0x11, buf, sizeof(buf));
    CHECK_STR(buf, "0x11");
    format(0x13, 0x123456789ull, buf, sizeof(buf));
    CHECK_STR(buf, "0n4886718345");
    format(0x70, 'h', buf, sizeof(buf));
    CHECK_STR(buf, "0n104 'h'");
    format(0x20, 0x41, buf, sizeof(buf));
    CHECK_STR(buf, "0x41 'A'");
    format(0x30, 1, buf, sizeof(buf));
    CHECK_STR(buf, "true");
}

TEST(cmd_value_char_pointer)
{
    char buf[128];
    format(0x670, 0x1000, buf, sizeof(buf));
    CHECK_STR(buf, "0x00000000`00001000 \"hello\"");
    format(0x670, 0, buf, sizeof(buf));
    CHECK_STR(buf, "0x00000000`00000000");
    format(0x670, 0x9000, buf, sizeof(buf));
    CHECK_STR(buf, "0x00000000`00009000 \"<Memory access error>\"");
}
