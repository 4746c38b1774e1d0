# The DumpIt full-dump fragment: MANIFEST.md says its header describes 0x7FE86 pages of physical
# memory (RequiredDumpSpace 0x7FE88000) while the file keeps only its first 16 KiB (0x4000
# bytes). The reader opens it and .dumpdebug says what it worked around.
dump: corpus:kernel/imhex-patterns/dmp64.hexpat.bin

cmd: .dumpdebug
contains: Warnings:
contains: dump file truncated: page data ends at 0x7fe88000, the file has 0x4000 bytes
