/*
 * libFuzzer target: the kernel walkers (src/nt/kernel.c, kmodules.c, kprocess.c, kthread.c,
 * kprcb.c) over fuzzed kernel memory. The input is mapped at MEM_BASE of an x64 build-19041
 * kernel target; its first 0x380 bytes also serve as the triage KDBG copy. The dump header's list
 * heads and KiProcessorBlock point into the input (taken from bytes 0x400.. when present), so
 * the walks follow whatever links the bytes hold: loops, wild and unmapped pointers included.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/cursor.h"
#include "nt/kernel.h"
#include "nt/kmodules.h"
#include "nt/kprcb.h"
#include "nt/kprocess.h"
#include "nt/kthread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0xfffff80000000000ULL

static struct dd_error *mem_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                 size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops mem_ops = {.read_virtual = mem_read};

static uint64_t word_at(const uint8_t *data, size_t size, size_t off, uint64_t dflt)
{
    return off + 8 <= size ? MEM_BASE + (dd_le64(data + off) % (size ? size : 1)) : dflt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 16 || size > (1u << 20))
        return 0;
    struct target t;
    memset(&t, 0, sizeof(t));
    t.ops = &mem_ops;
    t.kind = TARGET_KERNEL;
    t.sys.cpu = DD_CPU_X64;
    t.kernel.minor_version = 19041;
    t.kernel.number_processors = data[0] % 8;
    dd_memmap_init(&t.memory);
    dd_memmap_add(&t.memory, MEM_BASE, size, data);
    dd_memmap_finish(&t.memory);
    if (data[1] & 1) {
        t.kernel.kdbg_copy = data;
        t.kernel.kdbg_copy_size = size < 0x380 ? size : 0x380;
    } else {
        t.kernel.kd_debugger_data_block = word_at(data, size, 0x400, MEM_BASE);
    }
    t.kernel.ps_active_process_head = word_at(data, size, 0x408, MEM_BASE + 8);
    t.kernel.ps_loaded_module_list = word_at(data, size, 0x410, MEM_BASE + 16);

    struct nt_kernel_options opt = {.no_scan = (data[1] & 2) == 0};
    struct nt_kernel k;
    if (dd_error_drop(nt_kernel_init(&t, &opt, &k))) {
        dd_memmap_deinit(&t.memory);
        return 0;
    }
    if (!k.ki_processor_block)
        k.ki_processor_block = word_at(data, size, 0x418, MEM_BASE + 24);
    struct nt_process_list pl = {0};
    if (!dd_error_drop(nt_processes_list(&k, &pl))) {
        for (size_t i = 0; i < pl.count && i < 4; i++) {
            struct nt_thread_list tl = {0};
            if (!dd_error_drop(nt_threads_list(&k, pl.items[i].eprocess, &tl))) {
                for (size_t j = 0; j < tl.count && j < 4; j++) {
                    struct regset rs;
                    dd_error_drop(nt_thread_context(&k, &tl.items[j], &rs));
                }
                nt_thread_list_free(&tl);
            }
        }
        nt_process_list_free(&pl);
    }
    struct nt_kmodule_list ml = {0};
    if (!dd_error_drop(nt_kmodules_list(&k, &ml)))
        nt_kmodule_list_free(&ml);
    for (uint32_t i = 0; i < 4; i++) {
        struct nt_processor p;
        if (dd_error_drop(nt_processor_read(&k, i, &p)))
            continue;
        struct regset rs;
        dd_error_drop(nt_processor_context(&k, &p, &rs));
    }
    dd_memmap_deinit(&t.memory);
    return 0;
}
