// SPDX-License-Identifier: GPL-2.0-or-later
/* The keyed, hash-chained audit log. */

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "audit.h"

static bool printable(const char *s, size_t max, bool allow_empty)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i]; i++)
		if (i + 1 >= max || s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return allow_empty || i > 0;
}

static void put_u64(EVP_MAC_CTX *ctx, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	EVP_MAC_update(ctx, b, sizeof(b));
}

static void put_str(EVP_MAC_CTX *ctx, const char *s)
{
	size_t n = strlen(s);

	put_u64(ctx, n);
	EVP_MAC_update(ctx, (const uint8_t *)s, n);
}

/* mac = HMAC(key, prev || seq || wall || boot id || boot_us || strings) */
static int entry_mac(const uint8_t *key, const uint8_t *prev,
		     const struct audit_entry *e, uint8_t *ret)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t len = 0;
	int r = -EIO;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return -EIO;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		goto out;
	params[0] =
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, STATEDB_KEY_LEN, params) != 1)
		goto out;
	EVP_MAC_update(ctx, prev, AUDIT_MAC_LEN);
	put_u64(ctx, (uint64_t)e->seq);
	put_u64(ctx, (uint64_t)e->wall_us);
	put_str(ctx, e->boot_id);
	put_u64(ctx, e->boot_us);
	put_str(ctx, e->event);
	put_str(ctx, e->caller);
	put_str(ctx, e->detail);
	if (EVP_MAC_final(ctx, ret, &len, AUDIT_MAC_LEN) == 1 &&
	    len == AUDIT_MAC_LEN)
		r = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return r;
}

/* The stored MAC of entry seq (zeros for seq 0). */
static int stored_mac(struct statedb *db, int64_t seq, uint8_t *ret)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	memset(ret, 0, AUDIT_MAC_LEN);
	if (seq <= 0)
		return 0;
	r = statedb_prepare(db, "SELECT mac FROM audit WHERE seq = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, seq);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		return -ENOENT;
	if (r != SQLITE_ROW)
		return statedb_errno(r);
	if (sqlite3_column_bytes(st, 0) != AUDIT_MAC_LEN)
		return -EBADMSG;
	memcpy(ret, sqlite3_column_blob(st, 0), AUDIT_MAC_LEN);
	return 0;
}

static int64_t meta_int(struct statedb *db, const char *key)
{
	int64_t v = 0;

	if (statedb_meta_get_int(db, key, &v) < 0)
		return 0;
	return v;
}

int audit_append(struct statedb *db, const struct prclock_now *now,
		 const char *event, const char *caller, const char *detail)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct audit_entry e = { 0 };
	uint8_t prev[AUDIT_MAC_LEN], mac[AUDIT_MAC_LEN];
	int r;

	if (!caller)
		caller = "";
	if (!detail)
		detail = "";
	if (!printable(event, AUDIT_EVENT_MAX, false) ||
	    !printable(caller, AUDIT_CALLER_MAX, true) ||
	    !printable(detail, AUDIT_DETAIL_MAX, true))
		return -EINVAL;

	e.seq = meta_int(db, "audit_head_seq") + 1;
	r = stored_mac(db, e.seq - 1, prev);
	if (r < 0)
		return r;
	e.wall_us = now->wall_us;
	memcpy(e.boot_id, now->boot_id, sizeof(e.boot_id));
	e.boot_us = now->boot_us;
	snprintf(e.event, sizeof(e.event), "%s", event);
	snprintf(e.caller, sizeof(e.caller), "%s", caller);
	snprintf(e.detail, sizeof(e.detail), "%s", detail);
	r = entry_mac(statedb_state_key(db), prev, &e, mac);
	if (r < 0)
		return r;

	r = statedb_prepare(db,
			    "INSERT INTO audit(seq, wall_us, boot_id, boot_us, "
			    "event, caller, detail, mac) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, e.seq);
	sqlite3_bind_int64(st, 2, e.wall_us);
	sqlite3_bind_text(st, 3, e.boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)e.boot_us);
	sqlite3_bind_text(st, 5, e.event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e.caller, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e.detail, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, mac, AUDIT_MAC_LEN, SQLITE_STATIC);
	r = statedb_errno(sqlite3_step(st));
	if (r < 0)
		return r;
	return statedb_meta_set_int(db, "audit_head_seq", e.seq);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, cap, "%s", s ? (const char *)s : "");
}

/*
 * Walk entries after after_seq; each is checked against the stored MAC
 * of its predecessor. Calls back with every entry; stops at max.
 */
static int walk(struct statedb *db, int64_t after_seq, size_t max,
		int (*fn)(const struct audit_entry *e, void *ud), void *ud)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	uint8_t prev[AUDIT_MAC_LEN], mac[AUDIT_MAC_LEN];
	int64_t expect = after_seq + 1;
	size_t n = 0;
	int r;

	r = stored_mac(db, after_seq, prev);
	if (r < 0 && r != -ENOENT && r != -EBADMSG)
		return r;
	r = statedb_prepare(db,
			    "SELECT seq, wall_us, boot_id, boot_us, event, "
			    "caller, detail, mac FROM audit WHERE seq > ? "
			    "ORDER BY seq",
			    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, after_seq);
	while (n < max && (r = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry e = { 0 };
		const void *m = sqlite3_column_blob(st, 7);
		bool mac_len_ok = sqlite3_column_bytes(st, 7) == AUDIT_MAC_LEN;

		e.seq = sqlite3_column_int64(st, 0);
		e.wall_us = sqlite3_column_int64(st, 1);
		copy_col(e.boot_id, sizeof(e.boot_id), st, 2);
		e.boot_us = (uint64_t)sqlite3_column_int64(st, 3);
		copy_col(e.event, sizeof(e.event), st, 4);
		copy_col(e.caller, sizeof(e.caller), st, 5);
		copy_col(e.detail, sizeof(e.detail), st, 6);
		r = entry_mac(statedb_state_key(db), prev, &e, mac);
		if (r < 0)
			return r;
		e.mac_ok = e.seq == expect && mac_len_ok &&
			   CRYPTO_memcmp(mac, m, AUDIT_MAC_LEN) == 0;
		if (mac_len_ok)
			memcpy(prev, m, AUDIT_MAC_LEN);
		else
			memset(prev, 0, AUDIT_MAC_LEN);
		expect = e.seq + 1;
		r = fn(&e, ud);
		if (r < 0)
			return r;
		n++;
	}
	if (n < max)
		return statedb_errno(r);
	return 0;
}

struct verify_state {
	int64_t first_bad;
	int64_t last;
};

static int verify_one(const struct audit_entry *e, void *ud)
{
	struct verify_state *v = ud;

	if (!e->mac_ok && !v->first_bad)
		v->first_bad = e->seq;
	v->last = e->seq;
	return 0;
}

int audit_verify(struct statedb *db, int64_t *ret_first_bad)
{
	struct verify_state v = { 0 };
	int64_t anchor, head;
	int r;

	anchor = meta_int(db, "audit_anchor_seq");
	head = meta_int(db, "audit_head_seq");
	v.last = anchor;
	r = walk(db, anchor, SIZE_MAX, verify_one, &v);
	if (r < 0)
		return r;
	/* Entries removed from the end, or added behind our back. */
	if (!v.first_bad && v.last != head)
		v.first_bad = v.last < head ? v.last + 1 : head + 1;
	if (!v.first_bad)
		return 0;
	if (ret_first_bad)
		*ret_first_bad = v.first_bad;
	return -EBADMSG;
}

struct list_state {
	struct audit_entry *v;
	size_t n, cap;
};

static int list_one(const struct audit_entry *e, void *ud)
{
	struct list_state *l = ud;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct audit_entry *x = reallocarray(l->v, ncap, sizeof(*x));

		if (!x)
			return -ENOMEM;
		l->v = x;
		l->cap = ncap;
	}
	l->v[l->n++] = *e;
	return 0;
}

int audit_list(struct statedb *db, int64_t after_seq, size_t max,
	       struct audit_entry **ret, size_t *ret_n)
{
	struct list_state l = { 0 };
	int r;

	if (after_seq < 0)
		after_seq = 0;
	r = walk(db, after_seq, max, list_one, &l);
	if (r < 0) {
		free(l.v);
		return r;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

int audit_reanchor(struct statedb *db)
{
	int64_t last = 0;
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r;

	r = statedb_prepare(db, "SELECT COALESCE(MAX(seq), 0) FROM audit", &st);
	if (r < 0)
		return r;
	if (sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	r = statedb_meta_set_int(db, "audit_head_seq", last);
	if (r < 0)
		return r;
	return statedb_meta_set_int(db, "audit_anchor_seq", last);
}
