// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sim transport: one SOCK_SEQPACKET connection per simulated reader,
 * each message exactly one wire frame. Directories of simulator sockets
 * are watched with inotify, so simulators may come and go at any time.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"
#include "reader.h"
#include "transport-sim.h"
#include "util.h"

/* A simulator that is not listening yet gets this many tries, 50 ms apart:
 * its socket file appears at bind(), a moment before listen(). */
#define SIM_CONNECT_TRIES      40
#define SIM_CONNECT_RETRY_USEC (50 * 1000)
/* Pause before attaching a simulator again that dropped its connection. */
#define SIM_REATTACH_USEC      (200 * 1000)

struct sim_link {
	struct reader *reader;
	int fd;
	sd_event_source *io;
};

struct sim_pending {
	struct sim_pending *next; /* in the manager's list */
	struct manager *mgr;
	char *path;
	unsigned int tries;
	sd_event_source *timer;
};

static int sim_attach_after(struct manager *m, const char *path,
			    uint64_t delay_usec);

static int sim_send(void *priv, const uint8_t *frame, size_t len)
{
	struct sim_link *l = priv;

	if (send(l->fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return errno == EAGAIN ? -ENOBUFS : -errno;
	return 0;
}

static void sim_destroy(void *priv)
{
	struct sim_link *l = priv;

	sd_event_source_disable_unref(l->io);
	closep(&l->fd);
	free(l);
}

static const struct reader_transport sim_transport = {
	.name = "sim",
	.send = sim_send,
	.destroy = sim_destroy,
};

static int sim_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct sim_link *l = userdata;
	uint8_t buf[PRW_MAX_FRAME + 1];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* A simulator that dropped the connection but still listens
		 * is a reader unplugged and plugged back: attach it again.
		 * One that exited took its socket file along. */
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		sim_attach_after(l->reader->mgr, l->reader->where,
				 SIM_REATTACH_USEC);
		reader_lost(l->reader, -ENODEV);
		return 0;
	}
	if ((size_t)n > PRW_MAX_FRAME) {
		log_warning("reader %s: dropped an oversized message (%zd "
			    "bytes)",
			    l->reader->where, n);
		return 0;
	}
	reader_input(l->reader, buf, n);
	secure_zero(buf, n);
	return 0;
}

/* True if a live reader already uses path. */
static bool sim_path_in_use(struct manager *m, const char *path)
{
	for (struct reader *r = m->readers; r; r = r->next)
		if (!r->dead && r->tp == &sim_transport &&
		    strcmp(r->where, path) == 0)
			return true;
	return false;
}

static int sim_connect(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	*ret_fd = fd;
	fd = -1;
	return 0;
}

static int sim_start(struct manager *m, const char *path, int fd)
{
	struct sim_link *l;
	int ret;

	l = calloc(1, sizeof(*l));
	if (!l) {
		close(fd);
		return -ENOMEM;
	}
	l->fd = fd;
	ret = sd_event_add_io(m->event, &l->io, fd, EPOLLIN, sim_io, l);
	if (ret < 0)
		goto err;
	ret = reader_new(m, &sim_transport, l, path, &l->reader);
	if (ret < 0)
		goto err;
	log_debug("simulator %s: connected, probing", path);
	return 0;
err:
	sim_destroy(l);
	return ret;
}

static void sim_pending_free(struct sim_pending *p)
{
	for (struct sim_pending **pp = &p->mgr->sim_pending; *pp;
	     pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	sd_event_source_disable_unref(p->timer);
	free(p->path);
	free(p);
}

static int sim_try(struct sim_pending *p);

static int sim_retry(sd_event_source *s, uint64_t usec, void *userdata);

/* Try p again after delay_usec. */
static int sim_pending_arm(struct sim_pending *p, uint64_t delay_usec)
{
	int ret;

	if (!p->timer)
		ret = sd_event_add_time_relative(p->mgr->event, &p->timer,
						 CLOCK_MONOTONIC, delay_usec, 0,
						 sim_retry, p);
	else
		ret = sd_event_source_set_time_relative(p->timer, delay_usec);
	if (ret >= 0)
		ret = sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
	return ret;
}

static int sim_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	sim_try(userdata);
	return 0;
}

/* One connection attempt; frees p when done either way. */
static int sim_try(struct sim_pending *p)
{
	int fd = -1, ret;

	if (sim_path_in_use(p->mgr, p->path)) {
		sim_pending_free(p);
		return 0;
	}
	ret = sim_connect(p->path, &fd);
	if (ret == 0) {
		ret = sim_start(p->mgr, p->path, fd);
		if (ret < 0)
			log_error_errno(ret, "simulator %s", p->path);
		sim_pending_free(p);
		return ret;
	}
	if (ret == -ENOENT && p->tries > 0) {
		/* The simulator is gone for good. */
		sim_pending_free(p);
		return 0;
	}
	if ((ret == -ECONNREFUSED || ret == -ENOENT || ret == -EAGAIN) &&
	    ++p->tries < SIM_CONNECT_TRIES) {
		ret = sim_pending_arm(p, SIM_CONNECT_RETRY_USEC);
		if (ret >= 0)
			return 0;
	}
	log_error_errno(ret, "simulator %s: cannot connect", p->path);
	sim_pending_free(p);
	return ret;
}

static int sim_pending_new(struct manager *m, const char *path,
			   struct sim_pending **ret_pending)
{
	struct sim_pending *p;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->mgr = m;
	p->path = strdup(path);
	if (!p->path) {
		free(p);
		return -ENOMEM;
	}
	p->next = m->sim_pending;
	m->sim_pending = p;
	*ret_pending = p;
	return 0;
}

static int sim_attach_after(struct manager *m, const char *path,
			    uint64_t delay_usec)
{
	struct sim_pending *p;
	int ret;

	ret = sim_pending_new(m, path, &p);
	if (ret < 0)
		return ret;
	/* Counts as a try: a missing socket file ends it at once. */
	p->tries = 1;
	ret = sim_pending_arm(p, delay_usec);
	if (ret < 0)
		sim_pending_free(p);
	return ret;
}

int sim_attach(struct manager *m, const char *path)
{
	struct sim_pending *p;
	int ret;

	ret = sim_pending_new(m, path, &p);
	if (ret < 0)
		return ret;
	return sim_try(p);
}

void sim_shutdown(struct manager *m)
{
	while (m->sim_pending)
		sim_pending_free(m->sim_pending);
}

/* ---- Watched directories -------------------------------------------- */

struct sim_dir {
	struct manager *mgr;
	char *dir;
	char *only; /* the one name to attach, or NULL for any */
};

static void sim_dir_entry(struct sim_dir *d, const char *name)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (name[0] == '.' || (d->only && strcmp(name, d->only) != 0))
		return;
	if (asprintf(&path, "%s/%s", d->dir, name) < 0)
		return;
	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	sim_attach(d->mgr, path);
}

static int sim_dir_event(sd_event_source *s, const struct inotify_event *ev,
			 void *userdata)
{
	struct sim_dir *d = userdata;

	if (ev->mask & IN_Q_OVERFLOW) {
		log_warning("simulator directory %s: events lost", d->dir);
		return 0;
	}
	if (ev->len)
		sim_dir_entry(d, ev->name);
	return 0;
}

static void sim_dir_free(void *userdata)
{
	struct sim_dir *d = userdata;

	free(d->dir);
	free(d->only);
	free(d);
}

/* Watch dir for sockets (only that name, if only is not NULL). */
static int sim_watch(struct manager *m, const char *dir, const char *only)
{
	_cleanup_(sd_event_source_unrefp) sd_event_source *src = NULL;
	struct sim_dir *d;
	struct dirent *de;
	DIR *dp;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->mgr = m;
	d->dir = strdup(dir);
	d->only = only ? strdup(only) : NULL;
	if (!d->dir || (only && !d->only)) {
		sim_dir_free(d);
		return -ENOMEM;
	}
	ret = sd_event_add_inotify(m->event, &src, dir,
				   IN_CREATE | IN_MOVED_TO | IN_ONLYDIR,
				   sim_dir_event, d);
	if (ret < 0) {
		sim_dir_free(d);
		return log_error_errno(ret, "cannot watch %s", dir);
	}
	/* The loop owns the watch from here on, and d with it. */
	ret = sd_event_source_set_destroy_callback(src, sim_dir_free);
	if (ret >= 0)
		ret = sd_event_source_set_floating(src, true);
	if (ret < 0)
		return ret;
	dp = opendir(dir);
	if (!dp)
		return log_error_errno(-errno, "cannot read %s", dir);
	while ((de = readdir(dp)))
		sim_dir_entry(d, de->d_name);
	closedir(dp);
	return 0;
}

int sim_watch_dir(struct manager *m, const char *dir)
{
	int ret = sim_watch(m, dir, NULL);

	if (ret >= 0)
		log_info("watching %s for simulated readers", dir);
	return ret;
}

int sim_watch_socket(struct manager *m, const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;
	int ret;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || !slash[1])
		return log_error_errno(-EINVAL,
				       "simulator socket \"%s\": "
				       "give an absolute path",
				       path);
	*slash = '\0';
	ret = sim_watch(m, slash == dir ? "/" : dir, slash + 1);
	if (ret >= 0)
		log_info("waiting for a simulator at %s", path);
	return ret;
}
