/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posreaderd logging: stderr or the systemd journal. Never pass card data
 * (tracks, PANs, PINs) to any of these.
 */
#ifndef POSREADERD_LOG_H
#define POSREADERD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Where log lines go. */
enum log_target {
	LOG_TARGET_AUTO, /* journal if stderr is connected to it */
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
};

/* Choose the log target and the most verbose priority that is printed. */
void log_setup(enum log_target target, int max_priority);

/* Parse "auto", "stderr" or "journal"; negative errno if unknown. */
int log_target_from_string(const char *s, enum log_target *ret_target);

/* Log one formatted line at a syslog priority; returns -abs(err) if err. */
int log_full(int priority, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Log a terminal lock-state change with its journal MESSAGE_ID, so that
 * `journalctl MESSAGE_ID=...` finds every lock and unlock.
 */
void log_lock_event(bool locked, const char *reason, const char *state);

#define log_debug(...)		    log_full(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)		    log_full(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)		    log_full(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...)	    log_full(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)		    log_full(LOG_ERR, 0, __VA_ARGS__)
/* These return -abs(err), so "return log_error_errno(r, ...);" works. */
#define log_warning_errno(err, ...) log_full(LOG_WARNING, (err), __VA_ARGS__)
#define log_error_errno(err, ...)   log_full(LOG_ERR, (err), __VA_ARGS__)

/* journal MESSAGE_IDs (docs/architecture.md lists them). */
#define LOG_MID_LOCKED	 "4c3f1a9e2b7d4f6a8e05d1c2b3a49f70"
#define LOG_MID_UNLOCKED "9a71d2c4e85b4b0f93e6a0d7c51f2e38"

#endif /* POSREADERD_LOG_H */
