/*
 * probe.c - the client side of bench/switch: what a visitor sees while
 * port 8080 changes hands.
 *
 *   probe [-a ADDRESS] [-p PORT] [-e STATUS] [-i INTERVAL_US]
 *         [-t TIMEOUT_MS] [-d SECONDS] [-l LOG] [-r READY_FILE]
 *
 * Every INTERVAL_US (default 1000: 1 ms) it opens a new TCP connection to
 * ADDRESS:PORT (default 127.0.0.1:8080; ADDRESS an IPv4 or IPv6 literal,
 * "::1" for IPv6), sends "GET / HTTP/1.0" and reads the answer to the
 * end, whatever the requests before it are doing (each one is its own
 * non-blocking socket in one poll loop, so a slow or hanging request
 * never delays the next).
 *
 * -e 400 on a TLS port: the probe speaks no TLS, and nginx and apache2
 * both answer a plain-HTTP request on a TLS port with a plain-HTTP 400
 * ("The plain HTTP request was sent to HTTPS port"); that answer is
 * proof that a server accepted the connection on the port and served
 * it, which is what a switch must never interrupt.  Each request ends as
 * one of:
 *   ok        HTTP status STATUS (default 200) and the whole response
 *             (the body as long as
 *             Content-Length says, or up to the server's close without one)
 *   refused   ECONNREFUSED (nothing listens on the port)
 *   reset     ECONNRESET or EPIPE (a listener that went away with the
 *             connection in its queue or half-served)
 *   short     the server closed before the whole response
 *   badstatus a complete response whose status is not 200
 *   timeout   no complete answer within TIMEOUT_MS (default 2000)
 *   error     anything else (connect or socket errors: errno in the log)
 * Runs until SIGINT or SIGTERM (or -d SECONDS), then stops opening
 * connections, lets those in flight finish or time out, and prints one
 * line of key=value pairs on stdout:
 *   requests ok refused reset short badstatus timeout error
 *   apache nginx other        (ok responses by the Server: header)
 *   max_gap_ms                longest time between two consecutive
 *                             successful responses (completion times),
 *                             also from the probe's start to the first
 *                             success and from the last success to the
 *                             start of the last request (if it failed)
 *   gap_start_ms gap_end_ms   where that window lies, in ms from start
 *   max_fail_run fail_run_ms  longest run of consecutive failed requests
 *                             (by start order) and its span
 *   first_ok_ms duration_ms
 * With -l LOG, one line per request: start_ms end_ms outcome server errno
 * (ms from the probe's start, CLOCK_MONOTONIC).  With -r READY_FILE, the
 * file is created once the first request has succeeded (the caller
 * waits for it before it starts the switch); it holds the start, t0, in
 * ns of CLOCK_MONOTONIC, so that a driver can place its own times.
 *
 * No dependency beyond libc.  Exit 0, or 2 on a usage or system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum outcome { O_PENDING, O_OK, O_REFUSED, O_RESET, O_SHORT, O_BADSTATUS,
	O_TIMEOUT, O_ERROR, O_N };
static const char *const outcome_names[O_N] = { "pending", "ok", "refused",
	"reset", "short", "badstatus", "timeout", "error" };
enum server { S_NONE, S_APACHE, S_NGINX, S_OTHER };
static const char *const server_names[] = { "-", "apache", "nginx", "other" };

#define RESP_MAX 16384
#define MAX_INFLIGHT 4096

struct req {
	int fd;
	bool connected, sent;
	int64_t start, end;     /* ns, CLOCK_MONOTONIC, from t0 */
	enum outcome outcome;
	enum server server;
	int err;
	size_t got;
	char *buf;
};

static volatile sig_atomic_t stop_flag;
static struct sockaddr_storage addr;
static socklen_t addrlen;
static long want_status = 200;
static const char request_text[] =
    "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: cutover-probe\r\n\r\n";
static int64_t t0;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - t0;
}

static void
die(const char *what)
{
	fprintf(stderr, "probe: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Case-insensitive search for a header line's value. */
static const char *
header(const char *head, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name), i = 0;

	while (i < len) {
		const char *line = head + i;
		const char *eol = memchr(line, '\n', len - i);
		size_t ll = eol ? (size_t)(eol - line) : len - i;

		if (ll > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (v < line + ll && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(line + ll - v);
			while (*vlen > 0 && (v[*vlen - 1] == '\r' || v[*vlen - 1] == ' '))
				(*vlen)--;
			return v;
		}
		i += ll + 1;
	}
	return NULL;
}

/*
 * The response so far is complete?  1 complete, 0 needs more, and sets
 * the outcome and server when it can judge.  at_eof: the server closed.
 */
static int
judge(struct req *r, bool at_eof)
{
	const char *hend;
	size_t hlen, vlen;
	const char *v;
	long status;
	char *endp;

	hend = r->got >= 4 ? memmem(r->buf, r->got, "\r\n\r\n", 4) : NULL;
	if (hend == NULL) {
		if (at_eof) {
			r->outcome = O_SHORT;
			return 1;
		}
		if (r->got >= RESP_MAX - 1) {
			r->outcome = O_ERROR;
			r->err = EMSGSIZE;
			return 1;
		}
		return 0;
	}
	hlen = (size_t)(hend - r->buf) + 4;
	if (r->got < 12 || strncmp(r->buf, "HTTP/1.", 7) != 0) {
		r->outcome = O_BADSTATUS;
		return 1;
	}
	status = strtol(r->buf + 9, &endp, 10);
	if ((v = header(r->buf, hlen, "Server", &vlen)) != NULL) {
		if (vlen >= 6 && strncasecmp(v, "Apache", 6) == 0)
			r->server = S_APACHE;
		else if (vlen >= 5 && strncasecmp(v, "nginx", 5) == 0)
			r->server = S_NGINX;
		else
			r->server = S_OTHER;
	}
	if ((v = header(r->buf, hlen, "Content-Length", &vlen)) != NULL) {
		unsigned long cl = strtoul(v, NULL, 10);
		if (r->got - hlen < cl) {
			if (at_eof) {
				r->outcome = O_SHORT;
				return 1;
			}
			return 0;
		}
	} else if (!at_eof) {
		return 0;       /* HTTP/1.0 without a length: the close ends it */
	}
	r->outcome = status == want_status ? O_OK : O_BADSTATUS;
	return 1;
}

static void
finish(struct req *r, enum outcome o, int err)
{
	if (o != O_PENDING)
		r->outcome = o;
	r->err = err;
	r->end = now_ns();
	if (r->fd >= 0) {
		if (r->outcome != O_OK) {
			/* never leave a TIME_WAIT of ours behind a failure */
			struct linger lg = { 1, 0 };
			setsockopt(r->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		close(r->fd);
		r->fd = -1;
	}
	free(r->buf);
	r->buf = NULL;
}

static enum outcome
errno_outcome(int e)
{
	switch (e) {
	case ECONNREFUSED: return O_REFUSED;
	case ECONNRESET: case EPIPE: case ECONNABORTED: return O_RESET;
	case ETIMEDOUT: return O_TIMEOUT;
	default: return O_ERROR;
	}
}

static void
open_one(struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->start = now_ns();
	r->outcome = O_PENDING;
	r->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (r->fd < 0) {
		finish(r, O_ERROR, errno);
		return;
	}
	if ((r->buf = malloc(RESP_MAX)) == NULL)
		die("malloc");
	if (connect(r->fd, (struct sockaddr *)&addr, addrlen) == 0)
		r->connected = true;
	else if (errno != EINPROGRESS)
		finish(r, errno_outcome(errno), errno);
}

/* One step of request R after poll said REVENTS. */
static void
step(struct req *r, short revents)
{
	if (!r->connected) {
		int e = 0;
		socklen_t l = sizeof(e);

		if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &e, &l) == -1)
			e = errno;
		if (e != 0) {
			finish(r, errno_outcome(e), e);
			return;
		}
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		r->connected = true;
	}
	if (!r->sent) {
		ssize_t n = send(r->fd, request_text, sizeof(request_text) - 1,
		    MSG_NOSIGNAL);
		if (n == (ssize_t)(sizeof(request_text) - 1)) {
			r->sent = true;
		} else if (n >= 0) {
			finish(r, O_ERROR, EMSGSIZE);   /* never on loopback */
			return;
		} else if (errno != EAGAIN) {
			finish(r, errno_outcome(errno), errno);
			return;
		}
		return;
	}
	for (;;) {
		ssize_t n = recv(r->fd, r->buf + r->got, RESP_MAX - 1 - r->got, 0);
		if (n > 0) {
			r->got += (size_t)n;
			if (judge(r, false)) {
				finish(r, O_PENDING, 0);
				return;
			}
			continue;
		}
		if (n == 0) {
			judge(r, true);
			finish(r, O_PENDING, 0);
			return;
		}
		if (errno == EAGAIN || errno == EINTR)
			return;
		finish(r, errno_outcome(errno), errno);
		return;
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: probe [-a ADDRESS] [-p PORT] [-e STATUS] "
	    "[-i INTERVAL_US] [-t TIMEOUT_MS] [-d SECONDS] [-l LOG] "
	    "[-r READY_FILE]\n");
	exit(2);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int port = 8080, opt;
	const char *address = "127.0.0.1";
	struct sockaddr_in *four = (struct sockaddr_in *)&addr;
	struct sockaddr_in6 *six = (struct sockaddr_in6 *)&addr;
	long interval_us = 1000, timeout_ms = 2000;
	double duration = 0;
	const char *logpath = NULL, *readypath = NULL;
	struct req *reqs;
	size_t nreqs = 0, cap = 1 << 16, i;
	size_t *live;           /* indexes of requests in flight */
	size_t nlive = 0;
	struct pollfd *pfd;
	int64_t next, stop_at = 0;
	bool ready = false;
	struct sigaction sa;
	struct timespec ts;

	while ((opt = getopt(argc, argv, "a:p:e:i:t:d:l:r:")) != -1) {
		switch (opt) {
		case 'a': address = optarg; break;
		case 'e': want_status = atol(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'i': interval_us = atol(optarg); break;
		case 't': timeout_ms = atol(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'l': logpath = optarg; break;
		case 'r': readypath = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || port <= 0 || port > 65535 || interval_us <= 0 ||
	    timeout_ms <= 0 || duration < 0)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, address, &four->sin_addr) == 1) {
		four->sin_family = AF_INET;
		four->sin_port = htons((uint16_t)port);
		addrlen = sizeof(*four);
	} else if (inet_pton(AF_INET6, address, &six->sin6_addr) == 1) {
		six->sin6_family = AF_INET6;
		six->sin6_port = htons((uint16_t)port);
		addrlen = sizeof(*six);
	} else
		usage();

	if ((reqs = calloc(cap, sizeof(*reqs))) == NULL ||
	    (live = calloc(MAX_INFLIGHT, sizeof(*live))) == NULL ||
	    (pfd = calloc(MAX_INFLIGHT, sizeof(*pfd))) == NULL)
		die("calloc");

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	next = 0;
	if (duration > 0)
		stop_at = (int64_t)(duration * 1e9);

	for (;;) {
		int64_t now = now_ns(), wait_ns;
		int n;

		if (stop_at > 0 && now >= stop_at)
			stop_flag = 1;
		/* open what is due (never more than a few late ones at once) */
		while (!stop_flag && now >= next && nlive < MAX_INFLIGHT) {
			struct req *r;
			if (nreqs == cap) {
				cap *= 2;
				if ((reqs = realloc(reqs, cap * sizeof(*reqs))) == NULL)
					die("realloc");
			}
			r = &reqs[nreqs];
			open_one(r);
			if (r->outcome == O_PENDING)
				live[nlive++] = nreqs;
			nreqs++;
			next += interval_us * 1000;
			if (now - next > 10 * interval_us * 1000)
				next = now;     /* we were descheduled: no burst */
		}
		/* time-outs */
		for (i = 0; i < nlive;) {
			struct req *r = &reqs[live[i]];
			if (r->outcome == O_PENDING &&
			    now - r->start >= timeout_ms * 1000000)
				finish(r, O_TIMEOUT, 0);
			if (r->outcome != O_PENDING)
				live[i] = live[--nlive];
			else
				i++;
		}
		if (stop_flag && nlive == 0)
			break;
		for (i = 0; i < nlive; i++) {
			struct req *r = &reqs[live[i]];
			pfd[i].fd = r->fd;
			pfd[i].events = r->sent ? POLLIN : POLLOUT;
			pfd[i].revents = 0;
		}
		wait_ns = stop_flag ? 5000000 : next - now_ns();
		if (wait_ns < 0)
			wait_ns = 0;
		{
			/* sub-millisecond waits: ppoll */
			struct timespec to = { wait_ns / 1000000000,
			    wait_ns % 1000000000 };
			n = ppoll(pfd, nlive, &to, NULL);
		}
		if (n < 0 && errno != EINTR)
			die("ppoll");
		if (n > 0)
			for (i = 0; i < nlive; i++)
				if (pfd[i].revents)
					step(&reqs[live[i]], pfd[i].revents);
		for (i = 0; i < nlive;) {
			if (reqs[live[i]].outcome == O_PENDING) {
				i++;
				continue;
			}
			if (!ready && reqs[live[i]].outcome == O_OK) {
				ready = true;
				if (readypath != NULL) {
					int fd = open(readypath, O_WRONLY |
					    O_CREAT | O_CLOEXEC, 0644);
					if (fd >= 0) {
						/* t0, for a driver's clock */
						dprintf(fd, "%lld\n", (long long)t0);
						close(fd);
					}
				}
			}
			live[i] = live[--nlive];
		}
	}

	/* the summary */
	{
		size_t count[O_N] = { 0 }, server[4] = { 0 }, nok = 0;
		size_t run = 0, best_run = 0;
		int64_t run_start = 0, best_run_span = 0, last_end = 0;
		int64_t last_start = 0;
		int64_t *oks, max_gap = 0, gap_s = 0, gap_e = 0, first_ok = -1;
		FILE *log = NULL;

		if (logpath != NULL && (log = fopen(logpath, "we")) == NULL)
			die(logpath);
		if ((oks = calloc(nreqs + 1, sizeof(*oks))) == NULL)
			die("calloc");
		for (i = 0; i < nreqs; i++) {
			struct req *r = &reqs[i];
			count[r->outcome]++;
			if (r->end > last_end)
				last_end = r->end;
			if (r->start > last_start)
				last_start = r->start;
			if (r->outcome == O_OK) {
				server[r->server]++;
				oks[nok++] = r->end;
				if (run > best_run) {
					best_run = run;
					best_run_span = reqs[i - 1].start - run_start;
				}
				run = 0;
			} else {
				if (run++ == 0)
					run_start = r->start;
			}
			if (log)
				fprintf(log, "%.3f %.3f %s %s %d\n", r->start / 1e6,
				    r->end / 1e6, outcome_names[r->outcome],
				    server_names[r->server], r->err);
		}
		if (run > best_run) {
			best_run = run;
			best_run_span = reqs[nreqs - 1].start - run_start;
		}
		if (log && fclose(log) != 0)
			die(logpath);
		qsort(oks, nok, sizeof(*oks), cmp_i64);
		if (nok > 0) {
			first_ok = oks[0];
			max_gap = oks[0];
			gap_s = 0;
			gap_e = oks[0];
			for (i = 1; i < nok; i++)
				if (oks[i] - oks[i - 1] > max_gap) {
					max_gap = oks[i] - oks[i - 1];
					gap_s = oks[i - 1];
					gap_e = oks[i];
				}
			/* failures after the last success: the window lasts at
			 * least until the last request was started */
			if (last_start - oks[nok - 1] > max_gap) {
				max_gap = last_start - oks[nok - 1];
				gap_s = oks[nok - 1];
				gap_e = last_start;
			}
		} else {
			max_gap = last_end;
			gap_e = last_end;
		}
		printf("requests=%zu ok=%zu refused=%zu reset=%zu short=%zu "
		    "badstatus=%zu timeout=%zu error=%zu apache=%zu nginx=%zu "
		    "other=%zu max_gap_ms=%.3f gap_start_ms=%.3f gap_end_ms=%.3f "
		    "max_fail_run=%zu fail_run_ms=%.3f first_ok_ms=%.3f "
		    "duration_ms=%.3f\n",
		    nreqs, count[O_OK], count[O_REFUSED], count[O_RESET],
		    count[O_SHORT], count[O_BADSTATUS], count[O_TIMEOUT],
		    count[O_ERROR], server[S_APACHE], server[S_NGINX],
		    server[S_OTHER], max_gap / 1e6, gap_s / 1e6, gap_e / 1e6,
		    best_run, best_run_span / 1e6,
		    first_ok < 0 ? -1.0 : first_ok / 1e6,
		    last_end / 1e6);
		free(oks);
	}
	return 0;
}
