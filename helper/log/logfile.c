/*
 * logfile.c - an audit file read line by line (logfile.h).  One buffer,
 * refilled by read() or gzread() in large blocks; lines are found with
 * memchr: a year of records is read at the speed of the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/lib/why.h"
#include "helper/log/gzapi.h"
#include "helper/log/logfile.h"

#define BLOCK (1024 * 1024)

struct logfile {
	int fd;
	gzFile gz;                  /* NULL: plain */
	char *buf;                  /* LOGFILE_LINE_MAX + BLOCK bytes */
	size_t start, end;          /* the bytes not yet given out */
	bool eof;
	const char *path;
};

static const size_t BUF_SIZE = LOGFILE_LINE_MAX + BLOCK;

void
logfile_close(struct logfile *f)
{
	if (f == NULL)
		return;
	if (f->gz != NULL)
		gzapi.close(f->gz);
	else if (f->fd > 0)
		close(f->fd);
	free(f->buf);
	free(f);
}

/* gzip's magic bytes first?  Read with pread: nothing is consumed. */
static bool
is_gzip(int fd)
{
	unsigned char magic[2];

	return pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f &&
	    magic[1] == 0x8b;
}

static int
open_gzip(struct logfile *f, char *why, size_t whylen)
{
	if (gzapi_load(why, whylen) == -1)
		return -1;
	if ((f->gz = gzapi.dopen(f->fd, "rb")) == NULL)
		return why_set(why, whylen, "%s: cannot read it as gzip",
		    f->path);
	return 0;
}

struct logfile *
logfile_open(const char *path, char *why, size_t whylen)
{
	struct logfile *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->buf = malloc(BUF_SIZE)) == NULL) {
		why_set(why, whylen, "%s: out of memory", path);
		goto fail;
	}
	f->path = path;
	f->fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK);
	if (f->fd == -1) {
		why_set(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (f->fd > 0 && is_gzip(f->fd) && open_gzip(f, why, whylen) == -1)
		goto fail;
	return f;
fail:
	logfile_close(f);
	return NULL;
}

/* More bytes after f->end; the unread ones moved to the front first. */
static int
fill(struct logfile *f, char *why, size_t whylen)
{
	ssize_t n;
	int zerr;

	if (f->start > 0) {
		memmove(f->buf, f->buf + f->start, f->end - f->start);
		f->end -= f->start;
		f->start = 0;
	}
	do
		n = f->gz != NULL ? gzapi.read(f->gz, f->buf + f->end,
		    (unsigned)(BUF_SIZE - f->end)) :
		    read(f->fd, f->buf + f->end, BUF_SIZE - f->end);
	while (n == -1 && f->gz == NULL && (errno == EINTR || errno == EAGAIN));
	if (n == -1 && f->gz != NULL)
		return why_set(why, whylen, "%s: %s", f->path,
		    gzapi.error(f->gz, &zerr));
	if (n == -1)
		return why_set(why, whylen, "%s: %s", f->path, strerror(errno));
	if (n == 0)
		f->eof = true;
	f->end += (size_t)n;
	return 0;
}

/* Skip to the '\n' that ends an over-long line (or the end). */
static int
skip_rest(struct logfile *f, char *why, size_t whylen)
{
	char *nl;

	for (;;) {
		nl = memchr(f->buf + f->start, '\n', f->end - f->start);
		if (nl != NULL) {
			f->start = (size_t)(nl - f->buf) + 1;
			return 0;
		}
		f->start = f->end;
		if (f->eof)
			return 0;
		if (fill(f, why, whylen) == -1)
			return -1;
	}
}

int
logfile_next(struct logfile *f, const char **line, size_t *len, bool *cut,
    bool *longline, char *why, size_t whylen)
{
	char *nl;
	size_t have;

	*cut = *longline = false;
	for (;;) {
		have = f->end - f->start;
		nl = memchr(f->buf + f->start, '\n', have);
		if (nl != NULL || have >= LOGFILE_LINE_MAX || f->eof)
			break;
		if (fill(f, why, whylen) == -1)
			return -1;
	}
	*line = f->buf + f->start;
	if (nl != NULL) {
		*len = (size_t)(nl - *line);
		f->start += *len + 1;
		return 1;
	}
	if (have == 0)
		return 0;
	if (have >= LOGFILE_LINE_MAX) {
		/* refilling moves the buffer: nothing of it is given out */
		*line = "";
		*len = 0;
		*longline = true;
		f->start += LOGFILE_LINE_MAX;
		return skip_rest(f, why, whylen) == -1 ? -1 : 1;
	}
	*len = have;
	*cut = true;
	f->start = f->end;
	return 1;
}
