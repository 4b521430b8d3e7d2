/*
 * sdbus.h - systemd's sd-bus, loaded at run time (sdbus.c) by the steps
 * that drive a unit only.
 *
 * Why not link it: libsystemd brings libgcrypt, liblzma, libzstd, liblz4
 * and libgpg-error, whose loading and start-up code would run as root on
 * every request, for every user of cutover, even on a host where no
 * service is a unit.  Loaded with dlopen() when a unit is to be started,
 * stopped or looked at, none of it runs for a process service, a policy
 * command or a refusal (tests/cli/t-linkage.sh keeps the binary so).
 * sd-bus rather than a D-Bus client of our own: the wire format, the
 * authentication and the message rules are its business, and it is the
 * client systemctl itself uses.
 */
#ifndef CUTOVER_SDBUS_H
#define CUTOVER_SDBUS_H

#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

/* The sd-bus functions unit.c calls, by the names libsystemd gives them. */
struct sdbus {
	int (*bus_new)(sd_bus **);
	int (*set_address)(sd_bus *, const char *);
	int (*start)(sd_bus *);
	sd_bus *(*flush_close_unref)(sd_bus *);
	int (*call_method)(sd_bus *, const char *, const char *, const char *,
	    const char *, sd_bus_error *, sd_bus_message **, const char *, ...);
	int (*get_property_string)(sd_bus *, const char *, const char *,
	    const char *, const char *, sd_bus_error *, char **);
	int (*get_property)(sd_bus *, const char *, const char *, const char *,
	    const char *, sd_bus_error *, sd_bus_message **, const char *);
	int (*message_enter_container)(sd_bus_message *, char, const char *);
	int (*get_property_trivial)(sd_bus *, const char *, const char *,
	    const char *, const char *, sd_bus_error *, char, void *);
	int (*match_signal)(sd_bus *, sd_bus_slot **, const char *,
	    const char *, const char *, const char *, sd_bus_message_handler_t,
	    void *);
	int (*process)(sd_bus *, sd_bus_message **);
	int (*wait)(sd_bus *, uint64_t);
	sd_bus_slot *(*slot_unref)(sd_bus_slot *);
	int (*message_read)(sd_bus_message *, const char *, ...);
	int (*message_read_array)(sd_bus_message *, char, const void **,
	    size_t *);
	sd_bus_message *(*message_unref)(sd_bus_message *);
	void (*error_free)(sd_bus_error *);
	int (*error_is_set)(const sd_bus_error *);
};

/* Filled by sdbus_load(); all NULL before. */
extern struct sdbus sdbus;

/*
 * The sd-journal functions journal.c calls: the same library, so a failed
 * start is read in the unit's own words without loading anything more.
 */
struct sdjournal {
	int (*open)(sd_journal **, int);
	void (*close)(sd_journal *);
	int (*set_data_threshold)(sd_journal *, size_t);
	int (*add_match)(sd_journal *, const void *, size_t);
	int (*seek_tail)(sd_journal *);
	int (*previous)(sd_journal *);
	int (*get_realtime_usec)(sd_journal *, uint64_t *);
	int (*get_data)(sd_journal *, const char *, const void **, size_t *);
};

/* Filled by sdbus_load() too. */
extern struct sdjournal sdjournal;

/*
 * dlopen libsystemd.so.0 (the soname: the system's library directories
 * only, a setuid process's loader ignores LD_LIBRARY_PATH) once, and
 * resolve every function of both tables above.  Returns 0, or -1 with the reason in WHY.
 */
int sdbus_load(char *why, size_t whylen);

#endif
