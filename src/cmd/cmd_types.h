/*
 * Types from the modules' PDBs for the commands that name them (dt, ??): opening a module's type
 * stream and finding a type by "[mod!]Name" the way WinDbg searches, modules in address order.
 */
#ifndef DD_CMD_CMD_TYPES_H
#define DD_CMD_CMD_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "cmd/session.h"
#include "pdb/tpi.h"

/* The type streams of a target's modules, opened on first use and kept for one command. */
struct cmd_types {
    struct session *s;
    struct pdb_types **open; /* one per module; NULL until opened or when the module has none */
    unsigned char *tried;    /* one per module: opening was attempted */
    unsigned char *borrowed; /* one per module: open[i] belongs to the symbol layer (ISF types) */
    size_t count;
};

/* A type found by name. */
struct cmd_types_hit {
    size_t module;           /* index into target->modules */
    struct pdb_types *types; /* owned by the cmd_types it came from */
    uint32_t index;
};

/* Prepares C over S's modules; nothing is opened yet. Errors only when out of memory. */
struct dd_error *cmd_types_init(struct cmd_types *c, struct session *s);
/* Closes every stream C opened; C may be zeroed. */
void cmd_types_deinit(struct cmd_types *c);

/* Returns module IDX's TPI stream (loading its symbols first), else the types of its ISF file
 * (symbols_module_isf_types), or NULL when it has neither. */
struct pdb_types *cmd_types_module(struct cmd_types *c, size_t idx);

/*
 * Finds the UDT or enum NAME in the module named MODULE (a WinDbg wildcard; NULL or "" searches
 * every module in address order, the first that knows it wins) and sets ret. DD_ERR_NOT_FOUND
 * when no module has it.
 */
struct dd_error *cmd_types_find(struct cmd_types *c, const char *module, const char *name,
                                struct cmd_types_hit *ret);

/* A global or static variable found by name, with its type. */
struct cmd_types_var {
    size_t module;
    struct pdb_types *types; /* owned by the cmd_types it came from */
    uint32_t type_index;
    uint64_t addr;
};

/*
 * Finds the global data symbol NAME (S_GDATA32/S_LDATA32 of the globals stream: "g_count",
 * "Base::counter") in the module named MODULE (wildcard; NULL or "" searches every module in
 * address order) and sets ret. DD_ERR_NOT_FOUND when no module has it.
 */
struct dd_error *cmd_types_find_var(struct cmd_types *c, const char *module, const char *name,
                                    struct cmd_types_var *ret);

/* A data member found by name: its field record and its offset in the UDT it was looked up in
 * (base classes' offsets added). */
struct cmd_types_member {
    struct pdb_type_field field; /* field.name points into the type stream */
    uint64_t offset;
};

/*
 * Finds the data member NAME (a WinDbg wildcard when WILDCARD) of UDT INDEX, looking into base
 * classes too (dt shows their members as the class's own), and sets ret. DD_ERR_NOT_FOUND when
 * there is none; type record errors are passed on.
 */
struct dd_error *cmd_types_member_find(struct pdb_types *types, uint32_t index, const char *name,
                                       bool wildcard, struct cmd_types_member *ret);

/* dt's symbolizer (cmd_dt_options.symbolize) over a struct cmd_types CTX. */
bool cmd_types_symbolize(void *ctx, uint64_t addr, char *buf, size_t len);
/* dt's static member resolver (cmd_dt_options.static_addr) over a struct cmd_types CTX. */
bool cmd_types_static_addr(void *ctx, const char *qualified, uint64_t *ret);

#endif
