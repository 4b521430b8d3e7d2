/*
 * kaload.c - keep-alive clients whose every request is logged with its
 * time, so that bench/traffic.py can say which errors happened during a
 * switch and which happen anyway (wrk counts them, but not when).
 *
 *   kaload [-p PORT] [-c CONNS] [-l LOG] [-r READY_FILE]
 *
 * CONNS (default 8) connections to 127.0.0.1:PORT (default 8080), each
 * sending "GET / HTTP/1.1" again as soon as the previous answer is
 * complete, on the same connection while the server keeps it open
 * (Content-Length framing; a "Connection: close" answer ends it
 * cleanly).  Each request ends as one of:
 *   ok        status 200, the whole body
 *   badstatus a whole answer whose status is not 200
 *   closed    the server closed the connection before the answer was
 *             whole (EOF; on a kept-alive connection: the close race)
 *   reset     ECONNRESET or EPIPE
 *   refused   ECONNREFUSED on a new connection
 *   error     anything else (errno in the log)
 * and the connection is opened again.  Runs until SIGTERM or SIGINT;
 * prints "requests=N ok=N ..." on stdout.  With -l LOG, one line per
 * request: start_ms end_ms outcome conn errno (ms from t0, CLOCK_MONOTONIC).
 * With -r READY_FILE, the file gets t0 (ns) once every connection has
 * had an answer.  libc only; exit 0, or 2 on a usage or system error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNS_MAX 256
#define BUF 65536

enum outcome { K_OK, K_BADSTATUS, K_CLOSED, K_RESET, K_REFUSED, K_ERROR, K_N };
static const char *const names[K_N] = { "ok", "badstatus", "closed", "reset",
	"refused", "error" };

struct conn {
	int fd;
	bool connecting;
	int64_t start;          /* the request's, ns from t0 */
	char buf[BUF];
	size_t len;
	bool answered;          /* this connection has had an answer */
};

static volatile sig_atomic_t stop_flag;
static int64_t t0;
static struct sockaddr_in addr;
static FILE *logf;
static size_t count[K_N];

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
	fprintf(stderr, "kaload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
record(struct conn *c, size_t i, enum outcome o, int err)
{
	count[o]++;
	if (logf != NULL)
		fprintf(logf, "%.3f %.3f %s %zu %d\n", c->start / 1e6,
		    now_ns() / 1e6, names[o], i, err);
}

static void
send_request(struct conn *c)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

	c->len = 0;
	c->start = now_ns();
	if (send(c->fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == -1 &&
	    errno != EAGAIN)
		c->connecting = false;  /* the read will tell what happened */
}

static void
open_conn(struct conn *c)
{
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		die("socket");
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->start = now_ns();
	c->len = 0;
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		send_request(c);
	else
		c->connecting = true;   /* EINPROGRESS, or an error polled */
}

static void
reopen(struct conn *c)
{
	close(c->fd);
	open_conn(c);
}

/* A whole answer in C->buf?  1 yes (*STATUS, *CLOSE), 0 not yet, -1 bad. */
static int
parse(const struct conn *c, int *status, bool *close_after, size_t *used)
{
	const char *end, *p, *line;
	long clen = -1;

	end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (end == NULL)
		return c->len >= BUF ? -1 : 0;
	if (sscanf(c->buf, "HTTP/1.%*d %d", status) != 1)
		return -1;
	*close_after = false;
	for (line = c->buf; line < end; line = p + 2) {
		p = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		if (p == NULL)
			break;
		if (strncasecmp(line, "Content-Length:", 15) == 0)
			clen = strtol(line + 15, NULL, 10);
		else if (strncasecmp(line, "Connection:", 11) == 0 &&
		    strstr(line, "close") != NULL && line + 11 < p)
			*close_after = true;
	}
	if (clen < 0)
		return -1;      /* both servers send Content-Length for / */
	*used = (size_t)(end + 4 - c->buf) + (size_t)clen;
	return c->len >= *used ? 1 : 0;
}

static void
readable(struct conn *c, size_t i)
{
	int status, err;
	bool close_after;
	size_t used;
	ssize_t n = recv(c->fd, c->buf + c->len, BUF - c->len, 0);

	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		err = n == 0 ? 0 : errno;
		record(c, i, n == 0 ? K_CLOSED : (err == ECONNRESET ||
		    err == EPIPE) ? K_RESET : err == ECONNREFUSED ? K_REFUSED :
		    K_ERROR, err);
		reopen(c);
		return;
	}
	c->len += (size_t)n;
	switch (parse(c, &status, &close_after, &used)) {
	case 0:
		return;
	case -1:
		record(c, i, K_ERROR, 0);
		reopen(c);
		return;
	}
	c->answered = true;
	record(c, i, status == 200 ? K_OK : K_BADSTATUS, 0);
	if (close_after)
		reopen(c);
	else
		send_request(c);
}

static void
writable(struct conn *c, size_t i)
{
	int err = 0;
	socklen_t len = sizeof(err);

	c->connecting = false;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		record(c, i, err == ECONNREFUSED ? K_REFUSED : err == ECONNRESET ?
		    K_RESET : K_ERROR, err);
		reopen(c);
		return;
	}
	send_request(c);
}

int
main(int argc, char **argv)
{
	static struct conn conns[CONNS_MAX];
	struct pollfd pfd[CONNS_MAX];
	const char *readypath = NULL;
	struct timespec ts;
	size_t i, n = 8, total = 0;
	bool ready = false;
	int port = 8080, ch, k;

	while ((ch = getopt(argc, argv, "p:c:l:r:")) != -1) {
		switch (ch) {
		case 'p': port = atoi(optarg); break;
		case 'c': n = (size_t)atoi(optarg); break;
		case 'l':
			if ((logf = fopen(optarg, "w")) == NULL)
				die(optarg);
			break;
		case 'r': readypath = optarg; break;
		default:
			fprintf(stderr, "usage: kaload [-p PORT] [-c CONNS] "
			    "[-l LOG] [-r READY_FILE]\n");
			return 2;
		}
	}
	if (n == 0 || n > CONNS_MAX || port <= 0 || port > 65535) {
		fprintf(stderr, "kaload: bad -c or -p\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	for (i = 0; i < n; i++)
		open_conn(&conns[i]);
	while (!stop_flag) {
		for (i = 0; i < n; i++) {
			pfd[i].fd = conns[i].fd;
			pfd[i].events = conns[i].connecting ? POLLOUT : POLLIN;
		}
		if ((k = poll(pfd, n, 100)) == -1 && errno != EINTR)
			die("poll");
		for (i = 0; i < n && k > 0; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (conns[i].connecting)
				writable(&conns[i], i);
			else
				readable(&conns[i], i);
		}
		if (!ready && readypath != NULL) {
			for (i = 0; i < n && conns[i].answered; i++)
				;
			if (i == n) {
				FILE *f = fopen(readypath, "w");

				ready = true;
				if (f != NULL) {
					fprintf(f, "%lld\n", (long long)t0);
					fclose(f);
				}
			}
		}
	}
	for (k = 0; k < K_N; k++)
		total += count[k];
	printf("requests=%zu", total);
	for (k = 0; k < K_N; k++)
		printf(" %s=%zu", names[k], count[k]);
	printf("\n");
	if (logf != NULL)
		fclose(logf);
	return 0;
}
