/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Append-only, hash-chained, keyed audit log in the state database:
 * entry n carries HMAC-SHA256(state key, mac(n-1) || fields(n)). Only
 * event names, callers and short details are stored: never card data or
 * PINs (callers must not pass them).
 */
#ifndef POSREADER_AUDIT_H
#define POSREADER_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "statedb.h"

#define AUDIT_MAC_LEN	 32
#define AUDIT_EVENT_MAX	 32
#define AUDIT_CALLER_MAX 64
#define AUDIT_DETAIL_MAX 256

/* One entry as stored, with whether its MAC checked out. */
struct audit_entry {
	int64_t seq;
	int64_t wall_us;
	char boot_id[PRCLOCK_BOOT_ID_LEN + 1];
	uint64_t boot_us;
	char event[AUDIT_EVENT_MAX];
	char caller[AUDIT_CALLER_MAX];
	char detail[AUDIT_DETAIL_MAX];
	bool mac_ok;
};

/*
 * Append an entry inside the caller's transaction. Strings must be
 * printable ASCII; event non-empty. caller may be NULL.
 */
int audit_append(struct statedb *db, const struct prclock_now *now,
		 const char *event, const char *caller, const char *detail);

/*
 * Verify the chain from the trusted anchor to the recorded head.
 * 0 if intact; -EBADMSG if broken, with *ret_first_bad (may be NULL)
 * the first entry that fails (or the head's seq when entries are gone).
 */
int audit_verify(struct statedb *db, int64_t *ret_first_bad);

/*
 * Entries with seq > after_seq, at most max of them, oldest first;
 * free *ret with free().
 */
int audit_list(struct statedb *db, int64_t after_seq, size_t max,
	       struct audit_entry **ret, size_t *ret_n);

/*
 * Accept the chain as it stands (after the acquirer has seen the break):
 * verification starts after the current head from now on. In a tx.
 */
int audit_reanchor(struct statedb *db);

#endif /* POSREADER_AUDIT_H */
