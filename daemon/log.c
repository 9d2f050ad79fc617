// SPDX-License-Identifier: GPL-2.0-or-later
/* posreaderd logging to stderr or the journal. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_priority = LOG_INFO;

/* systemd sets JOURNAL_STREAM to "dev:ino" of stderr's journal socket. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(enum log_target target, int max_priority)
{
	if (target == LOG_TARGET_AUTO)
		target = stderr_is_journal() ? LOG_TARGET_JOURNAL :
					       LOG_TARGET_STDERR;
	/* sd_journal_send() cannot tell that nobody listens: look first. */
	if (target == LOG_TARGET_JOURNAL &&
	    access("/run/systemd/journal/socket", W_OK) < 0)
		target = LOG_TARGET_STDERR;
	log_target = target;
	log_max_priority = max_priority;
}

int log_target_from_string(const char *s, enum log_target *ret_target)
{
	if (strcmp(s, "auto") == 0)
		*ret_target = LOG_TARGET_AUTO;
	else if (strcmp(s, "stderr") == 0)
		*ret_target = LOG_TARGET_STDERR;
	else if (strcmp(s, "journal") == 0)
		*ret_target = LOG_TARGET_JOURNAL;
	else
		return -EINVAL;
	return 0;
}

static const char *const prio_names[] = {
	[LOG_EMERG] = "emerg",	   [LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",	   [LOG_ERR] = "error",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",	   [LOG_DEBUG] = "debug",
};

/* Send one line to the journal; a negative errno if there is none. */
static int journal_line(int priority, int err, const char *msg)
{
	if (err)
		return sd_journal_send("MESSAGE=%s: %s", msg, strerror(err),
				       "PRIORITY=%i", priority, "ERRNO=%i", err,
				       NULL);
	return sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%i", priority,
			       NULL);
}

int log_full(int priority, int err, const char *fmt, ...)
{
	int saved_errno = errno;
	char msg[1024];
	va_list ap;

	if (err < 0)
		err = -err;
	if (priority > log_max_priority)
		goto out;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* Without a journal to take it, the line goes to stderr. */
	if (log_target == LOG_TARGET_JOURNAL &&
	    journal_line(priority, err, msg) >= 0)
		goto out;
	if (err)
		fprintf(stderr, "posreaderd: %s: %s: %s\n",
			prio_names[priority & 7], msg, strerror(err));
	else
		fprintf(stderr, "posreaderd: %s: %s\n",
			prio_names[priority & 7], msg);
out:
	errno = saved_errno;
	return -err;
}

void log_lock_event(bool locked, const char *reason, const char *state)
{
	if (log_target == LOG_TARGET_JOURNAL) {
		sd_journal_send(
			"MESSAGE=Terminal %s: lock reason %s %s", state, reason,
			locked ? "set" : "cleared", "MESSAGE_ID=%s",
			locked ? LOG_MID_LOCKED : LOG_MID_UNLOCKED,
			"PRIORITY=%i", LOG_NOTICE, "POSREADER_LOCK_REASON=%s",
			reason, "POSREADER_LOCK_STATE=%s", state, NULL);
		return;
	}
	log_notice("terminal %s: lock reason %s %s [MESSAGE_ID=%s]", state,
		   reason, locked ? "set" : "cleared",
		   locked ? LOG_MID_LOCKED : LOG_MID_UNLOCKED);
}
