/*
 * Stopping long commands early: Ctrl-C at the prompt, or an output budget in a harness, requests
 * an interrupt; loops that can run long (memory display, disassembly) poll it and stop.
 */
#ifndef DD_BASE_INTERRUPT_H
#define DD_BASE_INTERRUPT_H

#include <stdbool.h>

/* Asks the running command to stop; safe to call from a signal handler. */
void dd_interrupt_request(void);
/* True when a stop was requested and not yet cleared. */
bool dd_interrupt_pending(void);
/* Forgets a request (before each new command). */
void dd_interrupt_clear(void);

#endif
