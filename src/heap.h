/*
 * heap.h - how the process's heap is asked of the kernel.
 *
 * A page fault is the dearest thing a short run does on the virtual
 * machines planeval runs on: 14 microseconds each (a program touching
 * 10,000 fresh pages takes 141 ms there), and a one-region run takes
 * about 3,200 of them. heap_tune() lets the heap grow in large steps,
 * keeps it between plans and asks for it in 2 MB transparent huge pages,
 * one fault each where the kernel grants them; heap_advise() extends that
 * advice to what the heap has grown since.
 */
#ifndef PLANEVAL_HEAP_H
#define PLANEVAL_HEAP_H

/* At the start of main, before the run's allocations. */
void heap_tune(void);
/* Between plans: advise the heap grown since the last call. */
void heap_advise(void);

#endif
