/*
 * dump_on_exit.c - linked into the coverage builds only (make coverage),
 * never into cutover itself: _exit() is wrapped (-Wl,--wrap=_exit) so
 * that a process that ends with it - verify's fetch child, a service
 * child whose launch failed, start-up hygiene giving up - writes its
 * coverage counts first, as exit() and gcc's execve() wrapper already do.
 * gcc's fork() wrapper zeroes a child's counters, so nothing is counted
 * twice.
 *
 * setrlimit() is wrapped too (-Wl,--wrap=setrlimit): a check's step sets
 * RLIMIT_FSIZE to 0, soft and hard (helper/priv/privilege.c), after which
 * libgcov can write no count of what the check ran (EFBIG; the unit
 * layer's check child was even killed by SIGXFSZ).  Here that one limit is
 * left as it was; every other call goes through.  The limit itself is
 * tested in the ordinary builds.
 */
#include <sys/resource.h>
#include <unistd.h>

int __real_setrlimit(__rlimit_resource_t, const struct rlimit *);
int __wrap_setrlimit(__rlimit_resource_t, const struct rlimit *);

int
__wrap_setrlimit(__rlimit_resource_t resource, const struct rlimit *rl)
{
	if (resource == RLIMIT_FSIZE && rl->rlim_cur == 0 && rl->rlim_max == 0)
		return 0;
	return __real_setrlimit(resource, rl);
}

void __gcov_dump(void);
void __real__exit(int) __attribute__((noreturn));
void __wrap__exit(int) __attribute__((noreturn));

void
__wrap__exit(int status)
{
	__gcov_dump();
	__real__exit(status);
}
