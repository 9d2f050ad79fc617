// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel transport. The reader core speaks wire frames; the module
 * speaks ioctls (one blocking device command each) and read() records.
 * So each reader gets one worker thread that turns command frames into
 * ioctls and their results back into response frames, over a
 * SOCK_SEQPACKET pair: the event loop never blocks on a command that may
 * take seconds. Event records are read on the loop (the node is opened
 * O_NONBLOCK) and turned into event frames. This is the one place the
 * daemon uses threads: the UAPI has no asynchronous command interface.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-device.h>

#include "kernel-xlate.h"
#include "log.h"
#include "manager.h"
#include "reader.h"
#include "transport-kernel.h"
#include "util.h"

struct kernel_state {
	struct manager *mgr;
	sd_device_monitor *monitor;
	struct kernel_link *links;
};

struct kernel_link {
	struct kernel_link *next;
	struct kernel_state *ks;
	struct reader *reader;
	char *syspath;
	int dev_fd; /* events, on the loop */
	int sock;   /* to and from the worker */
	sd_event_source *dev_io, *sock_io;
	bool gone;
};

/* What the worker owns; it frees it when it ends. */
struct kernel_worker {
	int dev_fd;
	int sock;
};

static void *worker_main(void *arg)
{
	struct kernel_worker *w = arg;
	uint8_t in[PRW_MAX_FRAME], out[PRW_MAX_FRAME];
	struct prw_frame f;
	size_t plen;
	ssize_t n;
	int st;

	for (;;) {
		n = recv(w->sock, in, sizeof(in), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the daemon closed its end */
		if (prw_frame_decode(in, n, &f) < 0 ||
		    !prw_type_is_command(f.type))
			continue;
		st = kernel_run_command(w->dev_fd, &f, PRW_PAYLOAD(out), &plen);
		secure_zero(in, n);
		if (st == -ENODEV)
			break; /* unplugged: EOF tells the daemon */
		if (st < 0)
			continue;
		n = prw_frame_seal(out, sizeof(out), prw_response_type(f.type),
				   f.seq, 0, st, st == PRW_ST_OK ? plen : 0);
		if (n > 0)
			send(w->sock, out, n, MSG_NOSIGNAL);
		secure_zero(out, sizeof(out));
	}
	close(w->sock);
	close(w->dev_fd);
	free(w);
	return NULL;
}

static int worker_start(int dev_fd, int *ret_sock)
{
	struct kernel_worker *w;
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, old;
	int fds[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	w = calloc(1, sizeof(*w));
	if (!w) {
		ret = -ENOMEM;
		goto err_fds;
	}
	w->sock = fds[1];
	/* The worker's own descriptor, blocking, for its ioctls. */
	w->dev_fd = fcntl(dev_fd, F_DUPFD_CLOEXEC, 3);
	if (w->dev_fd < 0) {
		ret = -errno;
		goto err_w;
	}
	/* Signals belong to the event loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = -pthread_create(&thread, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret < 0)
		goto err_dev;
	*ret_sock = fds[0];
	return 0;

err_dev:
	close(w->dev_fd);
err_w:
	free(w);
err_fds:
	close(fds[0]);
	close(fds[1]);
	return ret;
}

/* ---- The loop side ------------------------------------------------------- */

static void link_lost(struct kernel_link *l, const char *why)
{
	if (l->gone)
		return;
	l->gone = true;
	sd_event_source_set_enabled(l->dev_io, SD_EVENT_OFF);
	sd_event_source_set_enabled(l->sock_io, SD_EVENT_OFF);
	log_info("kernel %s: %s", l->syspath, why);
	reader_lost(l->reader, -ENODEV);
}

static int kernel_send(void *priv, const uint8_t *frame, size_t len)
{
	struct kernel_link *l = priv;

	if (l->gone)
		return -ENODEV;
	if (send(l->sock, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return errno == EAGAIN ? -ENOBUFS : -errno;
	return 0;
}

static void link_unlink(struct kernel_link *l)
{
	for (struct kernel_link **pp = &l->ks->links; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			return;
		}
}

static void kernel_destroy(void *priv)
{
	struct kernel_link *l = priv;

	link_unlink(l);
	sd_event_source_disable_unref(l->dev_io);
	sd_event_source_disable_unref(l->sock_io);
	/* The worker ends once its ioctl returns and it sees EOF. */
	closep(&l->sock);
	closep(&l->dev_fd);
	free(l->syspath);
	free(l);
}

static const struct reader_transport kernel_transport = {
	.name = "kernel",
	.send = kernel_send,
	.destroy = kernel_destroy,
};

static int sock_event(sd_event_source *s, int fd, uint32_t revents,
		      void *userdata)
{
	struct kernel_link *l = userdata;
	uint8_t buf[PRW_MAX_FRAME + 1];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		link_lost(l, "unplugged");
		return 0;
	}
	reader_input(l->reader, buf, n);
	secure_zero(buf, n);
	return 0;
}

/* Hand one event record to the core as an event frame. */
static void event_record(struct kernel_link *l,
			 const struct posreader_event *ev)
{
	uint8_t frame[PRW_MAX_FRAME];
	uint32_t lost = 0;
	int n;

	n = kernel_event_frame(ev, frame, sizeof(frame), &lost);
	if (n < 0)
		log_warning("kernel %s: dropped a malformed event record",
			    l->syspath);
	else if (n > 0)
		reader_input(l->reader, frame, n);
	else if (lost)
		log_warning("kernel %s: the driver's queue overflowed; %u "
			    "events lost",
			    l->syspath, lost);
	secure_zero(frame, sizeof(frame));
}

static int dev_event(sd_event_source *s, int fd, uint32_t revents,
		     void *userdata)
{
	struct kernel_link *l = userdata;
	struct posreader_event ev;
	ssize_t n;

	for (;;) {
		n = read(fd, &ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n != (ssize_t)sizeof(ev)) {
			link_lost(l, n < 0 && errno != ENODEV ?
					     "event read failed" :
					     "unplugged");
			return 0;
		}
		event_record(l, &ev);
		secure_zero(&ev, sizeof(ev));
		if (l->gone)
			return 0;
	}
}

static int kernel_attach(struct kernel_state *ks, sd_device *dev)
{
	const char *syspath, *devname;
	struct kernel_link *l;
	int ret;

	if (sd_device_get_syspath(dev, &syspath) < 0 ||
	    sd_device_get_devname(dev, &devname) < 0)
		return 0;
	for (l = ks->links; l; l = l->next)
		if (!l->gone && strcmp(l->syspath, syspath) == 0)
			return 0;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ks = ks;
	l->dev_fd = -1;
	l->sock = -1;
	l->next = ks->links;
	ks->links = l;
	l->syspath = strdup(syspath);
	if (!l->syspath) {
		ret = -ENOMEM;
		goto err;
	}
	l->dev_fd = open(devname, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (l->dev_fd < 0) {
		ret = log_warning_errno(-errno, "kernel: cannot open %s",
					devname);
		goto err;
	}
	ret = worker_start(l->dev_fd, &l->sock);
	if (ret < 0)
		goto err;
	ret = sd_event_add_io(ks->mgr->event, &l->dev_io, l->dev_fd, EPOLLIN,
			      dev_event, l);
	if (ret >= 0)
		ret = sd_event_add_io(ks->mgr->event, &l->sock_io, l->sock,
				      EPOLLIN, sock_event, l);
	if (ret < 0)
		goto err;
	ret = reader_new(ks->mgr, &kernel_transport, l, devname, &l->reader);
	if (ret < 0)
		goto err;
	log_debug("kernel %s: probing", devname);
	return 0;
err:
	kernel_destroy(l);
	return ret;
}

static int kernel_uevent(sd_device_monitor *mon, sd_device *dev, void *userdata)
{
	struct kernel_state *ks = userdata;
	sd_device_action_t action;
	const char *syspath;

	if (sd_device_get_action(dev, &action) < 0 ||
	    sd_device_get_syspath(dev, &syspath) < 0)
		return 0;
	if (action == SD_DEVICE_ADD) {
		kernel_attach(ks, dev);
	} else if (action == SD_DEVICE_REMOVE) {
		for (struct kernel_link *l = ks->links; l; l = l->next)
			if (strcmp(l->syspath, syspath) == 0)
				link_lost(l, "removed");
	}
	return 0;
}

int kernel_start(struct manager *m)
{
	sd_device_enumerator *e = NULL;
	struct kernel_state *ks;
	int ret;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	ks->mgr = m;
	m->kernel = ks;

	ret = sd_device_monitor_new(&ks->monitor);
	if (ret >= 0)
		ret = sd_device_monitor_filter_add_match_subsystem_devtype(
			ks->monitor, "posreader", NULL);
	if (ret >= 0)
		ret = sd_device_monitor_attach_event(ks->monitor, m->event);
	if (ret >= 0)
		ret = sd_device_monitor_start(ks->monitor, kernel_uevent, ks);
	if (ret < 0)
		log_warning_errno(ret, "kernel: no hotplug (udev monitor)");

	ret = sd_device_enumerator_new(&e);
	if (ret >= 0)
		ret = sd_device_enumerator_add_match_subsystem(e, "posreader",
							       true);
	if (ret < 0) {
		sd_device_enumerator_unref(e);
		return log_error_errno(ret, "kernel: cannot enumerate");
	}
	for (sd_device *d = sd_device_enumerator_get_device_first(e); d;
	     d = sd_device_enumerator_get_device_next(e))
		kernel_attach(ks, d);
	sd_device_enumerator_unref(e);
	log_info("kernel: watching for /dev/posreader* readers");
	return 0;
}

void kernel_stop(struct manager *m)
{
	struct kernel_state *ks = m->kernel;

	if (!ks)
		return;
	sd_device_monitor_unref(ks->monitor);
	free(ks);
	m->kernel = NULL;
}
