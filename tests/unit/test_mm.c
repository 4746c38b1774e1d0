/*
 * Unit tests for the page-table walkers (src/mm). Page tables are built in a fake physical memory
 * from the documented entry layouts (Intel SDM Vol. 3A §4.3-4.5, Arm ARM VMSAv8-64 descriptors,
 * the Windows _MMPTE_TRANSITION layout); indexes and entry values are written out here by hand.
 * Where a published WinDbg transcript shows a walk (!vtop, !pte), its entry addresses and values
 * are rebuilt and its answer is the expectation.
 */
#include <stdlib.h>

#include "check.h"
#include "mm/mm.h"
#include "mm_fake_phys.h"

static struct fake_phys mem;

static struct mm_space *space(enum mm_paging paging, uint64_t dtb)
{
    struct mm_space *s = NULL;
    CHECK_OK(mm_space_create(paging, dtb, fake_phys_read, &mem, &s));
    return s;
}

/* Translates VA and returns the PA, or ~0 on failure. */
static uint64_t xlate(struct mm_space *s, uint64_t va)
{
    uint64_t pa = 0;
    struct dd_error *err = mm_space_translate(s, va, &pa);
    if (err) {
        dd_error_destroy(err);
        return ~0ULL;
    }
    return pa;
}

/* The error message for VA (static buffer), "" when it translates. */
static const char *xlate_error(struct mm_space *s, uint64_t va, uint64_t *err_addr)
{
    static char buf[256];
    uint64_t pa;
    struct dd_error *err = mm_space_translate(s, va, &pa);
    if (!err)
        return "";
    CHECK_EQ(err->code, DD_ERR_MEMORY);
    *err_addr = err->address;
    snprintf(buf, sizeof(buf), "%s", err->message);
    dd_error_destroy(err);
    return buf;
}

/* x64 indexes (SDM §4.5): PML4 47:39, PDPT 38:30, PD 29:21, PT 20:12. */
#define PML4I(va) (((va) >> 39) & 0x1ff)
#define PDPTI(va) (((va) >> 30) & 0x1ff)
#define PDI(va) (((va) >> 21) & 0x1ff)
#define PTI(va) (((va) >> 12) & 0x1ff)

/*
 * "!vtop 1ad000 fffff8052e3ff090" and "!pte nt!NtCreateFile" of the same machine (a published
 * KVA-shadow walkthrough): PML4E 1adf80 = 4B09063, PDPE 4b090a0 = 4B0A063, PDE 4b0ab88 =
 * 0A00000002C001A1 (PS set), "Large page mapped phys 0000000002dff090".
 */
TEST(mm_x64_windbg_large_page)
{
    fake_phys_init(&mem);
    uint64_t va = 0xfffff8052e3ff090ULL;
    CHECK_EQ(0x1ad000 + PML4I(va) * 8, 0x1adf80);
    CHECK_EQ(0x4b09000 + PDPTI(va) * 8, 0x4b090a0);
    CHECK_EQ(0x4b0a000 + PDI(va) * 8, 0x4b0ab88);
    fake_phys_put64(&mem, 0x1adf80, 0x4B09063);
    fake_phys_put64(&mem, 0x4b090a0, 0x4B0A063);
    fake_phys_put64(&mem, 0x4b0ab88, 0x0A00000002C001A1ULL);
    fake_phys_put64(&mem, 0x2dff090, 0x1122334455667788ULL);
    struct mm_space *s = space(MM_PAGING_X64, 0x1ad000);
    CHECK_EQ(xlate(s, va), 0x2dff090);
    struct mm_walk w;
    mm_space_walk(s, va, &w);
    CHECK(w.present);
    CHECK_EQ(w.result, MM_WALK_PRESENT);
    CHECK_EQ(w.page_size, 0x200000);
    CHECK_EQ(w.nlevels, 3);
    CHECK_STR(w.level[0].name, "PXE");
    CHECK_STR(w.level[1].name, "PPE");
    CHECK_STR(w.level[2].name, "PDE");
    CHECK_EQ(w.level[1].entry_pa, 0x4b090a0);
    CHECK_EQ(w.level[2].entry, 0x0A00000002C001A1ULL);
    CHECK(!w.transition);
    uint64_t v = 0;
    size_t got = 0;
    CHECK_OK(mm_space_read(s, va, &v, 8, &got));
    CHECK_EQ(got, 8);
    CHECK_EQ(v, 0x1122334455667788ULL);
    mm_space_destroy(s);
}

/*
 * A transition PTE, from kdmp-parser's tests (a kernel+user dump, with WinDbg's "!pte" of the
 * address quoted there): VA 1a42ea30240, PXE 0A0000000ECC0867, PPE 0A00000013341867, PDE
 * 0A000000077AF867, PTE 00000000166B7880 ("not valid / Transition: 166b7"); the 16 bytes read
 * there through the transition page are the ones checked here.
 */
TEST(mm_x64_transition_pte)
{
    fake_phys_init(&mem);
    uint64_t va = 0x1a42ea30240ULL;
    /* The entry VAs of the transcript end in 018, 480, BA8, 180: the index * 8 of each level. */
    CHECK_EQ(PML4I(va) * 8, 0x018);
    CHECK_EQ(PDPTI(va) * 8, 0x480);
    CHECK_EQ(PDI(va) * 8, 0xba8);
    CHECK_EQ(PTI(va) * 8, 0x180);
    fake_phys_put64(&mem, 0x1000 + 0x018, 0x0A0000000ECC0867ULL);
    fake_phys_put64(&mem, 0xecc0000 + 0x480, 0x0A00000013341867ULL);
    fake_phys_put64(&mem, 0x13341000 + 0xba8, 0x0A000000077AF867ULL);
    fake_phys_put64(&mem, 0x77af000 + 0x180, 0x00000000166B7880ULL);
    static const uint8_t bytes[16] = {0xe0, 0x07, 0xa3, 0x2e, 0xa4, 0x01, 0x00, 0x00,
                                      0x80, 0xf2, 0xa2, 0x2e, 0xa4, 0x01, 0x00, 0x00};
    memcpy(fake_phys_page(&mem, 0x166b7000) + 0x240, bytes, 16);
    struct mm_space *s = space(MM_PAGING_X64, 0x1000);
    CHECK_EQ(xlate(s, va), 0x166b7240);
    struct mm_walk w;
    mm_space_walk(s, va, &w);
    CHECK(w.present);
    CHECK(w.transition);
    CHECK_EQ(w.nlevels, 4);
    CHECK_STR(w.level[3].name, "PTE");
    uint8_t got_bytes[16];
    size_t got = 0;
    CHECK_OK(mm_space_read(s, va, got_bytes, 16, &got));
    CHECK_EQ(got, 16);
    CHECK(memcmp(got_bytes, bytes, 16) == 0);
    mm_space_destroy(s);
}

/* Builds PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 for VA; returns nothing. */
static void x64_chain(uint64_t va, uint64_t pte)
{
    fake_phys_put64(&mem, 0x1000 + PML4I(va) * 8, 0x2000 | 0x63);
    fake_phys_put64(&mem, 0x2000 + PDPTI(va) * 8, 0x3000 | 0x63);
    fake_phys_put64(&mem, 0x3000 + PDI(va) * 8, 0x4000 | 0x63);
    fake_phys_put64(&mem, 0x4000 + PTI(va) * 8, pte);
}

TEST(mm_x64_missing_levels)
{
    fake_phys_init(&mem);
    struct mm_space *s = space(MM_PAGING_X64, 0x1000 | 0x18 /* PCID/flag bits are ignored */);
    uint64_t addr = 0;
    fake_phys_page(&mem, 0x1000);
    /* A zero PML4E. */
    uint64_t va = 0x00007ff612345678ULL;
    CHECK(strstr(xlate_error(s, va, &addr), "PXE not present"));
    CHECK(strncmp(xlate_error(s, va, &addr), "memory at 0x7ff612345678 is not in the dump", 43) == 0);
    CHECK_EQ(addr, va);
    struct mm_walk w;
    mm_space_walk(s, va, &w);
    CHECK_EQ(w.result, MM_WALK_NOT_PRESENT);
    CHECK_EQ(w.nlevels, 1);
    CHECK(w.level[0].read_ok);
    CHECK_EQ(w.level[0].entry_pa, 0x1000 + PML4I(va) * 8);

    /* A PDE paged out (software PTE: valid clear, transition clear, page file bits). */
    x64_chain(va, 0);
    fake_phys_put64(&mem, 0x3000 + PDI(va) * 8, 0x0000000123450080ULL);
    CHECK(strstr(xlate_error(s, va, &addr), "PDE not present"));

    /* A PDE in transition names a page table (bit 7 is Protection there, not PS). */
    fake_phys_put64(&mem, 0x3000 + PDI(va) * 8, 0x4000 | 0x880);
    fake_phys_put64(&mem, 0x4000 + PTI(va) * 8, 0x0000000000abc063ULL);
    CHECK_EQ(xlate(s, va), 0xabc678);
    mm_space_walk(s, va, &w);
    CHECK(w.transition);
    CHECK_EQ(w.page_size, 0x1000);

    /* A prototype PTE (bit 10) is not present even with bit 11 set. */
    uint64_t va2 = va + 0x1000;
    fake_phys_put64(&mem, 0x4000 + PTI(va2) * 8, 0xffffc182cc1ffdf8ULL << 16 | 0xc00);
    CHECK(strstr(xlate_error(s, va2, &addr), "PTE not present (prototype"));
    CHECK_EQ(addr, va2);

    /* A page-table page absent from the dump. */
    uint64_t va3 = 0xffff800000001000ULL;
    fake_phys_put64(&mem, 0x1000 + PML4I(va3) * 8, 0x7770000 | 0x63);
    CHECK(strstr(xlate_error(s, va3, &addr),
                 "page-table page at physical 0x7770000 not in the dump (PPE at 0x7770000)"));
    mm_space_walk(s, va3, &w);
    CHECK_EQ(w.result, MM_WALK_TABLE_MISSING);
    CHECK_EQ(w.nlevels, 2);
    CHECK(!w.level[1].read_ok);
    CHECK_EQ(w.level[1].entry_pa, 0x7770000 + PDPTI(va3) * 8);
    mm_space_destroy(s);
}

TEST(mm_x64_huge_page_and_canonical)
{
    fake_phys_init(&mem);
    struct mm_space *s = space(MM_PAGING_X64, 0x1000);
    uint64_t va = 0x0000004012345678ULL; /* PML4 0, PDPT 0x100 */
    fake_phys_put64(&mem, 0x1000 + PML4I(va) * 8, 0x2000 | 0x63);
    /* PDPTE with PS: a 1 GB page at 0x1_c0000000 (bits 51:30), NX set. */
    fake_phys_put64(&mem, 0x2000 + PDPTI(va) * 8, 0x80000001c00000e3ULL);
    CHECK_EQ(xlate(s, va), 0x1c0000000ULL + 0x12345678);
    struct mm_walk w;
    mm_space_walk(s, va, &w);
    CHECK_EQ(w.page_size, 0x40000000);
    CHECK_EQ(w.nlevels, 2);
    /* Bits 63:47 must all equal bit 47. */
    uint64_t addr = 0;
    CHECK(strstr(xlate_error(s, 0x0000800000000000ULL, &addr), "non-canonical address"));
    CHECK_EQ(addr, 0x0000800000000000ULL);
    CHECK(strstr(xlate_error(s, 0xffff7fffffffffffULL, &addr), "non-canonical"));
    mm_space_walk(s, 0x8000000000000000ULL, &w);
    CHECK_EQ(w.result, MM_WALK_NON_CANONICAL);
    CHECK_EQ(w.nlevels, 0);
    mm_space_walk(s, 0xffff800000000000ULL, &w);
    CHECK_EQ(w.result, MM_WALK_NOT_PRESENT);
    mm_space_destroy(s);
}

TEST(mm_x64_read_partial_and_cache)
{
    fake_phys_init(&mem);
    struct mm_space *s = space(MM_PAGING_X64, 0x1000);
    uint64_t va = 0xfffff80000010ff8ULL;
    x64_chain(va, 0x5000 | 0x63);
    fake_phys_put64(&mem, 0x5ff8, 0x0807060504030201ULL);
    /* The next virtual page has a zero PTE. */
    uint8_t buf[16];
    size_t got = 99;
    struct dd_error *err = mm_space_read(s, va, buf, sizeof(buf), &got);
    CHECK(err != NULL);
    CHECK_EQ(got, 8);
    CHECK_EQ(buf[0], 1);
    CHECK_EQ(buf[7], 8);
    if (err) {
        CHECK_EQ(err->address, va + 8);
        CHECK(strstr(err->message, "PTE not present (zero)"));
    }
    dd_error_destroy(err);

    /* The next page is mapped but its physical page is not in the dump. */
    fake_phys_put64(&mem, 0x4000 + PTI(va + 8) * 8, 0x9000 | 0x63);
    err = mm_space_read(s, va, buf, sizeof(buf), &got);
    CHECK_EQ(got, 8);
    CHECK(err && strstr(err->message, "page at physical 0x9000 not in the dump"));
    CHECK(err && err->address == va + 8);
    dd_error_destroy(err);

    /* A repeated translation is served by the cache: no more physical reads. */
    CHECK_EQ(xlate(s, va), 0x5ff8);
    unsigned reads = mem.reads;
    CHECK_EQ(xlate(s, va + 4), 0x5ffc);
    CHECK_EQ(mem.reads, reads);
    /* Zero-length reads read nothing. */
    CHECK_OK(mm_space_read(s, 0x0000800000000000ULL, buf, 0, &got));
    CHECK_EQ(got, 0);
    mm_space_destroy(s);
}

/* LA57 (SDM §4.5): a PML5 indexed by VA bits 56:48 above the PML4; canonical in 57 bits. */
TEST(mm_x64_la57)
{
    fake_phys_init(&mem);
    uint64_t va = 0xff00000000001234ULL; /* bit 56 set, bits 63:57 set: canonical in 57 bits */
    uint64_t pml5i = (va >> 48) & 0x1ff;
    CHECK_EQ(pml5i, 0x100);
    fake_phys_put64(&mem, 0x1000 + pml5i * 8, 0x6000 | 0x63);
    fake_phys_put64(&mem, 0x6000 + PML4I(va) * 8, 0x2000 | 0x63);
    fake_phys_put64(&mem, 0x2000 + PDPTI(va) * 8, 0x3000 | 0x63);
    fake_phys_put64(&mem, 0x3000 + PDI(va) * 8, 0x4000 | 0x63);
    fake_phys_put64(&mem, 0x4000 + PTI(va) * 8, 0x8000 | 0x63);
    struct mm_space *s = space(MM_PAGING_X64_LA57, 0x1000);
    CHECK_EQ(xlate(s, va), 0x8234);
    struct mm_walk w;
    mm_space_walk(s, va, &w);
    CHECK_EQ(w.nlevels, 5);
    CHECK_STR(w.level[0].name, "PML5E");
    CHECK_STR(w.level[1].name, "PXE");
    uint64_t addr;
    CHECK(strstr(xlate_error(s, 0x0100000000000000ULL, &addr), "non-canonical"));
    mm_space_destroy(s);
    /* The same address is not canonical for 4-level paging. */
    s = space(MM_PAGING_X64, 0x1000);
    CHECK(strstr(xlate_error(s, va, &addr), "non-canonical"));
    mm_space_destroy(s);
}

/*
 * PAE, from a published x86 "!vtop 0a680320 4197b0" transcript: PDPE 0a680320 = 17f20001, PDE
 * 17f20010 = 17c63067, PTE 17c630c8 = 8000000018034067, "Mapped phys 00000000180347b0"; and
 * "!vtop 0a680320 0": PDE 17f20000 = 18029067, PTE 18029000 = 0, "PAE zero PTE".
 */
TEST(mm_x86_pae)
{
    fake_phys_init(&mem);
    fake_phys_put64(&mem, 0x0a680320, 0x17f20001);
    fake_phys_put64(&mem, 0x17f20010, 0x17c63067);
    fake_phys_put64(&mem, 0x17c630c8, 0x8000000018034067ULL);
    fake_phys_put64(&mem, 0x17f20000, 0x18029067);
    fake_phys_page(&mem, 0x18029000);
    struct mm_space *s = space(MM_PAGING_X86_PAE, 0x0a680320);
    CHECK_EQ(xlate(s, 0x4197b0), 0x180347b0);
    struct mm_walk w;
    mm_space_walk(s, 0x4197b0, &w);
    CHECK_EQ(w.nlevels, 3);
    CHECK_STR(w.level[0].name, "PDPTE");
    CHECK_EQ(w.level[1].entry_pa, 0x17f20010);
    CHECK_EQ(w.level[2].entry_pa, 0x17c630c8);
    mm_space_walk(s, 0, &w);
    CHECK_EQ(w.result, MM_WALK_NOT_PRESENT);
    CHECK_EQ(w.nlevels, 3);
    CHECK_EQ(w.level[2].entry_pa, 0x18029000);
    CHECK_EQ(w.level[2].entry, 0);
    /* A 2 MB page: PDE index (va >> 21) & 511, PA bits 51:21 from the PDE. */
    uint64_t va = 0x80654321;
    fake_phys_put64(&mem, 0x0a680320 + (va >> 30) * 8, 0x17f21001);
    fake_phys_put64(&mem, 0x17f21000 + ((va >> 21) & 0x1ff) * 8, 0x0000000123400000ULL | 0xe3);
    CHECK_EQ(xlate(s, va), 0x123400000ULL + (va & 0x1fffff));
    mm_space_walk(s, va, &w);
    CHECK_EQ(w.page_size, 0x200000);
    /* Nothing above 4 GB. */
    uint64_t addr;
    CHECK(strstr(xlate_error(s, 0x100000000ULL, &addr), "non-canonical"));
    mm_space_destroy(s);
}

/*
 * 32-bit paging, from published x86 transcripts: "!vtop 185 845ecf68" (PDE 185844 = 001c4063,
 * PTE 1c47b0 = 045ec121, "Mapped phys 45ecf68") and "!vtop 1735e 403018" (PDE 1735e004 =
 * 17342067, PTE 1734200c = 173b4067, "Mapped phys 00000000173b4018").
 */
TEST(mm_x86_nonpae)
{
    fake_phys_init(&mem);
    fake_phys_put32(&mem, 0x185844, 0x001c4063);
    fake_phys_put32(&mem, 0x1c47b0, 0x045ec121);
    struct mm_space *s = space(MM_PAGING_X86, 0x185000);
    CHECK_EQ(xlate(s, 0x845ecf68), 0x45ecf68);
    mm_space_destroy(s);
    fake_phys_put32(&mem, 0x1735e004, 0x17342067);
    fake_phys_put32(&mem, 0x1734200c, 0x173b4067);
    s = space(MM_PAGING_X86, 0x1735e000);
    CHECK_EQ(xlate(s, 0x403018), 0x173b4018);
    struct mm_walk w;
    mm_space_walk(s, 0x403018, &w);
    CHECK_EQ(w.nlevels, 2);
    CHECK_STR(w.level[0].name, "PDE");
    CHECK_EQ(w.level[1].entry, 0x173b4067);
    /* A 4 MB page (PS) with PSE-36: PDE bits 20:13 are PA bits 39:32. */
    uint64_t va = 0x80123456;
    fake_phys_put32(&mem, 0x1735e000 + (va >> 22) * 4, 0x00c00000 | (3u << 13) | 0x83);
    CHECK_EQ(xlate(s, va), 0x300c00000ULL + 0x123456);
    mm_space_walk(s, va, &w);
    CHECK_EQ(w.page_size, 0x400000);
    CHECK_EQ(w.nlevels, 1);
    /* A transition PTE (bit 11 set, bit 10 clear): PFN bits 31:12. */
    uint64_t va2 = 0x00404000;
    fake_phys_put32(&mem, 0x17342000 + ((va2 >> 12) & 0x3ff) * 4, 0x12345880);
    CHECK_EQ(xlate(s, va2), 0x12345000);
    mm_space_destroy(s);
}

/* ARM64 indexes: level 0 47:39, 1 38:30, 2 29:21, 3 20:12; descriptors 11 = table/page, 01 = block. */
TEST(mm_arm64_both_halves)
{
    fake_phys_init(&mem);
    uint64_t user = 0x00007ff612345678ULL, kern = 0xfffff80000123456ULL;
    uint64_t ttbr = 0x40000000 | (0x12ULL << 48); /* an ASID in 63:48 is ignored */
    /* One table for both halves, as Windows sets TTBR0 = TTBR1. */
    fake_phys_put64(&mem, 0x40000000 + PML4I(user) * 8, 0x41000000 | 3);
    fake_phys_put64(&mem, 0x41000000 + PDPTI(user) * 8, 0x42000000 | 3);
    fake_phys_put64(&mem, 0x42000000 + PDI(user) * 8, 0x43000000 | 3);
    fake_phys_put64(&mem, 0x43000000 + PTI(user) * 8, 0x0060000088888000ULL | 0x400 | 3);
    fake_phys_put64(&mem, 0x40000000 + PML4I(kern) * 8, 0x44000000 | 3);
    fake_phys_put64(&mem, 0x44000000 + PDPTI(kern) * 8, 0x45000000 | 3);
    /* A 2 MB block at level 2: output address bits 47:21. */
    fake_phys_put64(&mem, 0x45000000 + PDI(kern) * 8, 0x0000000080200000ULL | 0x401);
    struct mm_space *s = space(MM_PAGING_ARM64, ttbr);
    CHECK_EQ(xlate(s, user), 0x88888678);
    CHECK_EQ(xlate(s, kern), 0x80200000ULL + (kern & 0x1fffff));
    struct mm_walk w;
    mm_space_walk(s, kern, &w);
    CHECK_EQ(w.page_size, 0x200000);
    CHECK_EQ(w.nlevels, 3);
    CHECK_STR(w.level[0].name, "PXE");
    /* Bits 63:48 must all equal bit 55. */
    uint64_t addr;
    CHECK(strstr(xlate_error(s, 0x0080000000000000ULL, &addr), "non-canonical"));
    CHECK(strstr(xlate_error(s, 0xff7ff80000000000ULL, &addr), "non-canonical"));
    /* A TTBR1 of its own for the upper half: a 1 GB block at level 1 there. */
    fake_phys_put64(&mem, 0x50000000 + PML4I(kern) * 8, 0x51000000 | 3);
    fake_phys_put64(&mem, 0x51000000 + PDPTI(kern) * 8, 0x00000000c0000000ULL | 0x401);
    mm_space_set_ttbr1(s, 0x50000000);
    CHECK_EQ(xlate(s, kern), 0xc0000000ULL + (kern & 0x3fffffff));
    CHECK_EQ(xlate(s, user), 0x88888678);
    mm_space_walk(s, kern, &w);
    CHECK_EQ(w.level[0].entry_pa, 0x50000000 + PML4I(kern) * 8);
    mm_space_destroy(s);
}

TEST(mm_arm64_reserved_and_transition)
{
    fake_phys_init(&mem);
    uint64_t va = 0x0000000012345000ULL;
    fake_phys_put64(&mem, 0x40000000 + PML4I(va) * 8, 0x41000000 | 3);
    fake_phys_put64(&mem, 0x41000000 + PDPTI(va) * 8, 0x42000000 | 3);
    fake_phys_put64(&mem, 0x42000000 + PDI(va) * 8, 0x43000000 | 3);
    /* Level 3 with bits 1:0 = 01 is reserved: translation fault. */
    fake_phys_put64(&mem, 0x43000000 + PTI(va) * 8, 0x88888000 | 0x401);
    struct mm_space *s = space(MM_PAGING_ARM64, 0x40000000);
    uint64_t addr;
    CHECK(strstr(xlate_error(s, va, &addr), "PTE not present"));
    /* A Windows transition PTE (Valid 0, Transition 11, PFN from bit 12). */
    fake_phys_put64(&mem, 0x43000000 + PTI(va) * 8, 0x0000000099999000ULL | 0x800 | (4 << 1));
    CHECK_EQ(xlate(s, va), 0x99999000);
    /* A block descriptor at level 0 is not valid with a 4 KB granule and 48-bit addresses. */
    uint64_t va2 = 0x0000008000000000ULL;
    fake_phys_put64(&mem, 0x40000000 + PML4I(va2) * 8, 0x80000000ULL | 0x401);
    CHECK(strstr(xlate_error(s, va2, &addr), "PXE not present"));
    mm_space_destroy(s);
}

TEST(mm_create_rejects_bad_mode)
{
    struct mm_space *s = NULL;
    struct dd_error *err = mm_space_create((enum mm_paging)99, 0, fake_phys_read, &mem, &s);
    CHECK(err != NULL);
    CHECK(s == NULL);
    dd_error_destroy(err);
    mm_space_destroy(NULL);
}
