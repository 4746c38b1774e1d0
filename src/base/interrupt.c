#include "base/interrupt.h"

#include <signal.h>

/* sig_atomic_t: the only type a signal handler may write and the main flow read portably. */
static volatile sig_atomic_t interrupt_flag;

void dd_interrupt_request(void)
{
    interrupt_flag = 1;
}

bool dd_interrupt_pending(void)
{
    return interrupt_flag != 0;
}

void dd_interrupt_clear(void)
{
    interrupt_flag = 0;
}
