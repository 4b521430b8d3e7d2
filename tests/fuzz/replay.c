/*
 * replay.c - run a libFuzzer target on saved inputs, without libFuzzer:
 * linked with each target, build/fuzz-replay-TARGET (gcc) and
 * build/asan/fuzz-replay-TARGET (ASan + UBSan), run by `make check` on
 * the target's corpus, as sudo does.
 *
 *   fuzz-replay-TARGET [-q] FILE|DIR...
 *
 * Each FILE, and each regular file directly inside each DIR (in name
 * order, dot files skipped), is read whole and passed to
 * LLVMFuzzerTestOneInput once.  An input passes when the target returns
 * 0; an input that cannot be read, or a target that returns non-zero,
 * fails.  A broken invariant or a sanitizer error ends the process (abort,
 * or the sanitizer's own exit), with no summary line: tests/check.sh
 * counts that as a failure.  No input at all is a failure too, so a lost
 * corpus cannot pass.
 *
 * Prints "NAME ... ok" per input (-q: only failures), then
 * "N passed, N failed"; exits 1 if anything failed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not fuzz inputs: refuse them, do not OOM. */
#define REPLAY_MAX_INPUT (16 * 1024 * 1024)

static unsigned passed, failed;
static int quiet;

static void
fail_input(const char *path, const char *why)
{
	if (quiet)
		printf("%s ... ", path);
	printf("FAIL (%s)\n", why);
	failed++;
}

/* The whole of PATH in a malloc'd buffer (never NULL on success). */
static unsigned char *
slurp(const char *path, size_t *len, const char **why)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	*why = NULL;
	if (f == NULL) {
		*why = strerror(errno);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= REPLAY_MAX_INPUT) {
				*why = "larger than 16 MiB";
				break;
			}
			cap = cap ? cap * 2 : 4096;
			if ((p = realloc(buf, cap)) == NULL) {
				*why = "out of memory";
				break;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				*why = "read error";
			break;
		}
	}
	fclose(f);
	if (*why != NULL) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static void
run_file(const char *path)
{
	unsigned char *data, *copy;
	const char *why;
	size_t len;
	int rc;

	if (!quiet) {
		printf("%s ... ", path);
		fflush(stdout);         /* the name stays visible if it crashes */
	}
	if ((data = slurp(path, &len, &why)) == NULL) {
		fail_input(path, why);
		return;
	}
	/*
	 * An exact-size copy, as libFuzzer passes it: ASan then catches a
	 * read one byte past the input.
	 */
	if ((copy = malloc(len ? len : 1)) == NULL) {
		free(data);
		fail_input(path, "out of memory");
		return;
	}
	memcpy(copy, data, len);
	free(data);
	rc = LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	if (rc != 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "the target returned %d", rc);
		fail_input(path, msg);
		return;
	}
	if (!quiet)
		printf("ok\n");
	passed++;
}

static int
visible(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void
run_dir(const char *dir)
{
	struct dirent **names;
	struct stat st;
	char *path;
	int i, n;

	if ((n = scandir(dir, &names, visible, alphasort)) < 0) {
		if (quiet)
			printf("%s ... ", dir);
		printf("FAIL (cannot list the directory: %s)\n", strerror(errno));
		failed++;
		return;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) == -1) {
			fail_input(names[i]->d_name, "out of memory");
			free(names[i]);
			continue;
		}
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			run_file(path);
		free(path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "-q") == 0)
			quiet = 1;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "usage: %s [-q] FILE|DIR...\n", argv[0]);
			return 2;
		}
	}
	if (i == argc) {
		fprintf(stderr, "usage: %s [-q] FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	if (passed + failed == 0) {
		printf("no input to replay: the corpus is missing or empty\n");
		failed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
