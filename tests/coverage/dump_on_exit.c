/*
 * dump_on_exit.c - linked into the coverage builds only (make coverage),
 * never into cutover itself: _exit() is wrapped (-Wl,--wrap=_exit) so
 * that a process that ends with it - verify's fetch child, a service
 * child whose launch failed, start-up hygiene giving up - writes its
 * coverage counts first, as exit() and gcc's execve() wrapper already do.
 * gcc's fork() wrapper zeroes a child's counters, so nothing is counted
 * twice.
 */
#include <unistd.h>

void __gcov_dump(void);
void __real__exit(int) __attribute__((noreturn));
void __wrap__exit(int) __attribute__((noreturn));

void
__wrap__exit(int status)
{
	__gcov_dump();
	__real__exit(status);
}
