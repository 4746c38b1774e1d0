#!/usr/bin/env python3
"""Writes Microsoft cabinet (CAB) files the way symbol servers serve NAME.pd_ files.

Written from the cabinet format description ([MS-CAB]: CFHEADER, CFFOLDER, CFFILE, CFDATA) so that
tests check dumpdbg's libmspack-based extraction against an independent producer.

    make_cab.py [--stored] [--name NAME] [--extra-file] INPUT OUTPUT

MSZIP folders hold one CFDATA block per 32 KiB of input, each "CK" followed by a raw deflate
stream (zlib with wbits=-15). --stored writes uncompressed blocks instead. --extra-file adds a
second file (tests reject such cabinets). Every CFDATA block carries its checksum.
"""
import argparse
import struct
import sys
import zlib

BLOCK = 32768  # [MS-CAB] 2.4: at most 32 KiB of uncompressed data per CFDATA
COMP_NONE, COMP_MSZIP = 0, 1
DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1  # 2024-01-01
DOS_TIME = 0
ATTR_ARCH = 0x20


def checksum(data, seed=0):
    """[MS-CAB] 2.4 CFDATA.csum: XOR of little-endian 32-bit words; tail bytes high to low."""
    csum = seed
    n4 = len(data) // 4 * 4
    for (word,) in struct.iter_unpack("<I", data[:n4]):
        csum ^= word
    tail = data[n4:]
    ul = 0
    if len(tail) == 3:
        ul = (tail[0] << 16) | (tail[1] << 8) | tail[2]
    elif len(tail) == 2:
        ul = (tail[0] << 8) | tail[1]
    elif len(tail) == 1:
        ul = tail[0]
    return (csum ^ ul) & 0xFFFFFFFF


def data_blocks(data, compress):
    blocks = []
    for pos in range(0, len(data), BLOCK):
        chunk = data[pos:pos + BLOCK]
        if compress:
            # Each block is a complete deflate stream; MSZIP decoders keep the window across
            # blocks, but a block that never refers back to it is valid too.
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            body = b"CK" + c.compress(chunk) + c.flush()
        else:
            body = chunk
        sizes = struct.pack("<HH", len(body), len(chunk))
        csum = checksum(sizes, checksum(body))
        blocks.append(struct.pack("<I", csum) + sizes + body)
    return blocks


def make_cab(data, name, compress=True, extra_file=False):
    """Returns the bytes of a one-folder cabinet holding DATA as NAME (and a copy when extra_file)."""
    files = [(name, 0, len(data))]
    if extra_file:
        files.append(("second_" + name, 0, len(data)))
    blocks = data_blocks(data, compress)
    header_size = 36
    folder_size = 8
    file_entries = b""
    for fname, offset, size in files:
        file_entries += struct.pack("<IIHHHH", size, offset, 0, DOS_DATE, DOS_TIME, ATTR_ARCH)
        file_entries += fname.encode("latin-1") + b"\0"
    coff_files = header_size + folder_size
    coff_data = coff_files + len(file_entries)
    body = b"".join(blocks)
    total = coff_data + len(body)
    header = b"MSCF" + struct.pack(
        "<IIIIIBBHHHHH",
        0,            # reserved1
        total,        # cbCabinet
        0,            # reserved2
        coff_files,   # coffFiles
        0,            # reserved3
        3, 1,         # versionMinor, versionMajor
        1,            # cFolders
        len(files),   # cFiles
        0,            # flags: no reserve, no previous/next cabinet
        0x1234,       # setID
        0)            # iCabinet
    folder = struct.pack("<IHH", coff_data, len(blocks), COMP_MSZIP if compress else COMP_NONE)
    out = header + folder + file_entries + body
    assert len(out) == total
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stored", action="store_true", help="no compression")
    ap.add_argument("--name", help="file name inside the cabinet (default: INPUT's name)")
    ap.add_argument("--extra-file", action="store_true", help="add a second file")
    ap.add_argument("input")
    ap.add_argument("output")
    args = ap.parse_args()
    with open(args.input, "rb") as f:
        data = f.read()
    name = args.name or args.input.replace("\\", "/").rsplit("/", 1)[-1]
    cab = make_cab(data, name, compress=not args.stored, extra_file=args.extra_file)
    with open(args.output, "wb") as f:
        f.write(cab)
    return 0


if __name__ == "__main__":
    sys.exit(main())
