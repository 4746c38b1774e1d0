/*
 * Synthetic kernel targets for the src/nt tests: a struct target whose read_virtual serves byte
 * blocks the test lays out, and one built from the corpus triage dump's data blocks (TRIAGE_DUMP64
 * DataBlocksOffset/DataBlocksCount at 0x2000 + 0x78/0x7c: {ULONG64 Address; ULONG Offset;
 * ULONG Size} each, read straight from the file without the kernel dump reader).
 */
#ifndef DD_TESTS_NT_FAKE_H
#define DD_TESTS_NT_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/mapfile.h"
#include "core/target.h"

#define NT_FAKE_MAX_BLOCKS 4096

struct nt_fake {
    struct target t;
    uint8_t *owned[NT_FAKE_MAX_BLOCKS]; /* blocks this fake allocated */
    size_t nowned;
    struct dd_mapfile file; /* the triage dump, when built from it */
    struct target_module nt_module;
};

/* A kernel target for CPU (build BUILD) with no memory yet. */
void nt_fake_init(struct nt_fake *f, enum dd_cpu cpu, uint32_t build);
/* Adds SIZE zeroed bytes at ADDR and returns them for the test to fill (before nt_fake_finish). */
uint8_t *nt_fake_block(struct nt_fake *f, uint64_t addr, size_t size);
/* Sorts the blocks; call once all are added. */
void nt_fake_finish(struct nt_fake *f);
void nt_fake_deinit(struct nt_fake *f);

/*
 * Builds F from the corpus triage dump (x64, build 19041): its data blocks, the KDBG copy, the
 * header's list heads and processor count, and the PRCB/ETHREAD/EPROCESS copies mapped at the
 * addresses the PRCB names. Returns false (test skipped) when the corpus is absent.
 */
bool nt_fake_from_triage(struct nt_fake *f);

/*
 * A small synthetic x64 build-19041 kernel laid out with the layout nt_layout_resolve gives for
 * that build (the tests check the walkers, not the offsets, which test_nt_layout.c checks):
 * a plain KDBG naming the lists, three processes (System pid 4 with two threads, smss.exe
 * 0x124 with one, explorer.exe 0x910 in session 1 with none), two loaded modules (ntoskrnl.exe
 * with a PE header in memory, amdppm.sys without), two processors.
 */
#define FK_KDBG 0xfffff80000600b20ULL
#define FK_PROC_HEAD 0xfffff80000601000ULL
#define FK_MOD_HEAD 0xfffff80000602000ULL
#define FK_KPB 0xfffff80000603000ULL
#define FK_SESSION 0xffffb00000005000ULL
#define FK_EPROC(i) (0xffffa00000100000ULL + (uint64_t)(i) * 0x1000)
#define FK_ETHREAD(i) (0xffffa00000200000ULL + (uint64_t)(i) * 0x1000)
#define FK_STACK(i) (0xffffa00000400000ULL + (uint64_t)(i) * 0x8000)
#define FK_LDR(i) (0xffffa00000300000ULL + (uint64_t)(i) * 0x200)
#define FK_IMAGE(i) (0xfffff80000800000ULL + (uint64_t)(i) * 0x2000000)
#define FK_PCR(i) (0xfffff80000700000ULL + (uint64_t)(i) * 0x10000)
#define FK_PRCB(i) (FK_PCR(i) + 0x180)
#define FK_IDLE(i) (0xfffff80000790000ULL + (uint64_t)(i) * 0x1000)

struct nt_fake_world {
    uint8_t *kdbg, *proc_head, *mod_head, *kpb, *session;
    uint8_t *eproc[3], *ethread[3], *stack[3], *ldr[2], *image0, *pcr[2];
};

/* Builds the synthetic kernel into F (initialized here) and sets W to its blocks. */
void nt_fake_world_build(struct nt_fake *f, struct nt_fake_world *w);

/* Little-endian stores into a block. */
void nt_put16(uint8_t *p, uint16_t v);
void nt_put32(uint8_t *p, uint32_t v);
void nt_put64(uint8_t *p, uint64_t v);

#endif
