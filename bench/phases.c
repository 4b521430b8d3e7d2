/*
 * phases.c - where a decision's time goes, phase by phase, for one policy
 * file: bench/decide.sh runs it on each N-rule policy (issue 33), so that
 * the time per rule the hyperfine runs show is split between reading the
 * file, libconfig's parse, cutover's own checks and tables, deciding,
 * and freeing.  Not setuid, no audit, no PAM: only the policy library,
 * exactly as the helper calls it (policy_read_files, policy_build,
 * policy_decide, policy_free).
 *
 *   phases FILE USER ACTION TARGET [RUNS]
 *
 * Each phase runs RUNS times (default 50); it prints the median and the
 * minimum of each, in ms, and per rule in microseconds.  The libconfig
 * rows parse the same texts on their own (config_read_string, then
 * config_destroy), which policy_build does inside it, just before each
 * policy_build; "cutover's own" is policy_build less those two: the
 * median of the run-by-run differences, and the difference of the
 * minimums (the minimum of the differences is only noise).
 */
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"

#define RUNS_MAX 10000

static double t[RUNS_MAX];
static double lib_parse[RUNS_MAX], lib_destroy[RUNS_MAX], build[RUNS_MAX],
    own[RUNS_MAX];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median and minimum of the N times in t[], in ms: into MED, MIN. */
static void
stats(int n, double *med, double *min)
{
	qsort(t, (size_t)n, sizeof(t[0]), by_value);
	*med = t[n / 2] * 1e3;
	*min = t[0] * 1e3;
}

static void
row(const char *name, double med, double min, size_t nrules)
{
	printf("  %-28s median %8.3f ms  min %8.3f ms  %7.3f us/rule\n", name,
	    med, min, med * 1e3 / (double)(nrules ? nrules : 1));
}

static void
die(const char *what)
{
	fprintf(stderr, "phases: %s\n", what);
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *groups[] = { NULL };
	struct subject who = { NULL, groups, 0 };
	struct request req = { .action = ACT_START };
	struct policy_texts texts;
	struct diags d;
	struct decision dec;
	struct policy *p;
	double med[8], min[8], t0;
	size_t nrules, i;
	int runs, r;

	if (argc < 5 || action_from_name(argv[3], &req.action) != 0)
		die("usage: phases FILE USER ACTION TARGET [RUNS]");
	runs = argc > 5 ? atoi(argv[5]) : 50;
	if (runs < 1 || runs > RUNS_MAX)
		die("RUNS: 1 to 10000");
	who.user = argv[2];
	req.target = argv[4];
	if (req.action == ACT_FREE_PORT)
		req.port = port_from_string(argv[4]);

	memset(&d, 0, sizeof(d));
	if ((p = policy_load(argv[1], POLICY_TRUST_NAMED, &d)) == NULL)
		die("the policy does not load: policy check FILE says why");
	nrules = p->nrules;
	policy_decide(p, &who, &req, &dec);
	policy_free(p);
	diags_free(&d);

	for (r = 0; r < runs; r++) {            /* read */
		memset(&texts, 0, sizeof(texts));
		memset(&d, 0, sizeof(d));
		t0 = now();
		if (policy_read_files(argv[1], POLICY_TRUST_NAMED, &texts, &d) != 0)
			die("cannot read the policy");
		t[r] = now() - t0;
		if (r + 1 < runs)
			policy_texts_free(&texts);
		diags_free(&d);
	}
	stats(runs, &med[0], &min[0]);
	/*
	 * libconfig alone and the whole build, one after the other in each
	 * run, so that both meet the heap in the same state (run apart, the
	 * difference came out negative at 10,000 rules).
	 */
	for (r = 0; r < runs; r++) {
		config_t cfg[POLICY_FILES_MAX];
		double t1, t2;

		t0 = now();
		for (i = 0; i < texts.n; i++) {
			config_init(&cfg[i]);
			if (config_read_string(&cfg[i], texts.v[i].text) !=
			    CONFIG_TRUE)
				die("libconfig refuses the text");
		}
		t1 = now();
		for (i = 0; i < texts.n; i++)
			config_destroy(&cfg[i]);
		t2 = now();
		memset(&d, 0, sizeof(d));
		p = policy_build(&texts, &d);
		lib_parse[r] = t1 - t0;
		lib_destroy[r] = t2 - t1;
		build[r] = now() - t2;
		own[r] = build[r] - lib_parse[r] - lib_destroy[r];
		if (p == NULL)
			die("policy_build failed");
		policy_free(p);
		diags_free(&d);
	}
	memcpy(t, lib_parse, sizeof(t[0]) * (size_t)runs);
	stats(runs, &med[1], &min[1]);
	memcpy(t, lib_destroy, sizeof(t[0]) * (size_t)runs);
	stats(runs, &med[2], &min[2]);
	memcpy(t, build, sizeof(t[0]) * (size_t)runs);
	stats(runs, &med[3], &min[3]);
	memcpy(t, own, sizeof(t[0]) * (size_t)runs);
	stats(runs, &med[6], &min[6]);
	memset(&d, 0, sizeof(d));
	p = policy_build(&texts, &d);
	for (r = 0; r < runs; r++) {            /* decide */
		t0 = now();
		policy_decide(p, &who, &req, &dec);
		t[r] = now() - t0;
	}
	stats(runs, &med[4], &min[4]);
	policy_free(p);
	diags_free(&d);
	for (r = 0; r < runs; r++) {            /* free */
		memset(&d, 0, sizeof(d));
		p = policy_build(&texts, &d);
		t0 = now();
		policy_free(p);
		t[r] = now() - t0;
		diags_free(&d);
	}
	stats(runs, &med[5], &min[5]);
	policy_texts_free(&texts);

	printf("phases of %s, %zu rules: %s %s %s: %s (%d runs each)\n",
	    argv[1], nrules, who.user, argv[3], argv[4], dec.verdict ==
	    VERDICT_ALLOW ? "allowed" : "refused", runs);
	row("read (policy_read_files)", med[0], min[0], nrules);
	row("build (policy_build), all", med[3], min[3], nrules);
	row("  libconfig parse", med[1], min[1], nrules);
	row("  libconfig destroy", med[2], min[2], nrules);
	/* the least noisy figure: the difference of the minimums */
	row("  cutover's own (the rest)", med[6], min[3] - min[1] - min[2],
	    nrules);
	row("decide (policy_decide)", med[4], min[4], nrules);
	row("free (policy_free)", med[5], min[5], nrules);
	row("in all", med[0] + med[3] + med[4] + med[5], min[0] + min[3] +
	    min[4] + min[5], nrules);
	return 0;
}
