/* MSF container: stream directory of real PDBs checked against `llvm-pdbutil-16 dump -streams`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "check.h"
#include "pdb/msf.h"

TEST(msf_fixture_streams)
{
    struct msf_file *msf;
    CHECK_OK(msf_open_file(DD_SOURCE_ROOT "/tests/fixtures/dumps/crash_null_write.pdb", &msf));
    /* llvm-pdbutil: 15 streams; PDB 93, TPI 4628, DBI 36007, /LinkInfo 0, Section Header Data 640. */
    CHECK_EQ(msf_stream_count(msf), 15);
    static const uint32_t sizes[] = {0, 93, 4628, 36007, 872, 0, 1360, 4084, 9284, 360, 640, 5760,
                                     1060, 198, 140};
    for (uint32_t i = 0; i < 15; i++) {
        struct msf_stream s;
        CHECK_OK(msf_stream_get(msf, i, &s));
        CHECK_EQ(s.size, sizes[i]);
    }
    const uint8_t *data;
    uint32_t size;
    CHECK_OK(msf_stream_load(msf, 1, &data, &size));
    CHECK_EQ(size, 93);
    CHECK_EQ(dd_le32(data), 20000404); /* PDB stream version VC70 */
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(msf, 15, &s);
    CHECK(err != NULL && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    msf_destroy(msf);
}

TEST(msf_corpus_regtest64)
{
    const char *corpus = check_corpus_dir();
    if (!corpus) {
        check_skip("shared corpus not present");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/pdb-goldens/dump_syms_regtest64.pdb", corpus);
    struct msf_file *msf;
    CHECK_OK(msf_open_file(path, &msf));
    /* llvm-pdbutil -summary: block size 1024, 159 streams, age 3. */
    CHECK_EQ(msf_block_size(msf), 1024);
    CHECK_EQ(msf_stream_count(msf), 159);
    const uint8_t *data;
    uint32_t size;
    CHECK_OK(msf_stream_load(msf, 3, &data, &size)); /* DBI spans many blocks */
    CHECK_EQ(size, 140257);
    CHECK_EQ(dd_le32(data + 4), 19990903); /* DBI version V70 */
    CHECK_OK(msf_stream_load(msf, 1, &data, &size));
    CHECK_EQ(dd_le32(data + 8), 3); /* age */
    /* A second load returns the same cached bytes. */
    const uint8_t *again;
    CHECK_OK(msf_stream_load(msf, 1, &again, &size));
    CHECK(again == data);
    msf_destroy(msf);
}

TEST(msf_rejects_bad_input)
{
    uint8_t buf[4096];
    memset(buf, 0, sizeof(buf));
    struct msf_file *msf;
    struct dd_error *err = msf_open_memory(buf, sizeof(buf), "zero", &msf);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    memcpy(buf, "Microsoft C/C++ program database 2.00\r\n\x1aJG\0\0", 44);
    err = msf_open_memory(buf, sizeof(buf), "old", &msf);
    CHECK(err && err->code == DD_ERR_UNSUPPORTED && strstr(err->message, "JG"));
    dd_error_destroy(err);
    /* A valid superblock whose directory claims more streams than it holds. */
    memset(buf, 0, sizeof(buf));
    memcpy(buf, "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0", 32);
    dd_put_le32(buf + 32, 512);  /* block size */
    dd_put_le32(buf + 40, 8);    /* blocks */
    dd_put_le32(buf + 44, 8);    /* directory bytes */
    dd_put_le32(buf + 52, 2);    /* block map at block 2 */
    dd_put_le32(buf + 1024, 3);  /* directory in block 3 */
    dd_put_le32(buf + 1536, 1000); /* 1000 streams in 8 bytes */
    err = msf_open_memory(buf, sizeof(buf), "short", &msf);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    /* The same with one stream of 600 bytes in blocks 4 and 9 (past the end). */
    dd_put_le32(buf + 44, 16);
    dd_put_le32(buf + 1536, 1);
    dd_put_le32(buf + 1540, 600);
    dd_put_le32(buf + 1544, 4);
    dd_put_le32(buf + 1548, 9);
    err = msf_open_memory(buf, sizeof(buf), "pastend", &msf);
    CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "block 9"));
    dd_error_destroy(err);
    dd_put_le32(buf + 1548, 6); /* non-contiguous but valid: loads as a copy */
    memset(buf + 2048, 'a', 512);
    memset(buf + 3072, 'b', 88);
    CHECK_OK(msf_open_memory(buf, sizeof(buf), "ok", &msf));
    const uint8_t *data;
    uint32_t size;
    CHECK_OK(msf_stream_load(msf, 0, &data, &size));
    CHECK_EQ(size, 600);
    CHECK(data[511] == 'a' && data[512] == 'b' && data[599] == 'b');
    msf_destroy(msf);
}
