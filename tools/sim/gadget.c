// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * posreader-sim FunctionFS transport. ep0 carries the descriptors and the
 * bus events; ep1 is bulk OUT (host frames), ep2 bulk IN (responses), ep3
 * interrupt IN (events). Each endpoint has a thread, because FunctionFS
 * endpoint files only do blocking I/O; the model never runs on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <endian.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "util.h"

#include "ctlsrv.h"
#include "gadget.h"

/* Frames waiting per direction; a burst beyond this is the host's loss. */
#define QUEUE_LEN      64
#define INTERFACE_NAME "posreader"
/* Interrupts the endpoint threads' blocking I/O when they must stop. */
#define WAKE_SIGNAL    SIGUSR1
/* How long a "disconnect" keeps the gadget off its UDC before the replug. */
#define REPLUG_MS      200

struct msg {
	size_t n;
	u8 data[SIM_OUT_MAX];
};

/* A bounded FIFO of messages between a thread and the model's thread. */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct msg *slots;
	unsigned int head;
	unsigned int count;
};

struct sim_gadget;

struct ep_thread {
	struct sim_gadget *g;
	const char *name; /* "ep1", ... */
	struct queue *q;  /* IN: frames to send; OUT: frames received */
	bool interrupt;
	pthread_t tid;
	bool running;
	int fd;
	struct msg *buf; /* the thread's own message buffer */
};

struct sim_gadget {
	char *dir;
	int ep0;
	int efd;
	struct sim_device *dev;
	struct sim_loop *loop;
	enum sim_gadget_layout layout;
	atomic_bool enabled;
	struct queue rx;
	struct queue rsp;
	struct queue evt;
	atomic_bool reset_pending;
	atomic_bool stop; /* threads: finish now */
	atomic_uint bulk_maxp;
	atomic_uint int_maxp;
	pthread_t ep0_tid;
	bool ep0_running;
	struct ep_thread out;
	struct ep_thread rsp_ep;
	struct ep_thread evt_ep;
	char *configfs; /* the configfs gadget, for disconnect; or NULL */
	char udc[64];	/* the UDC a disconnect unbound, until the replug */
	int replug_fd;	/* timerfd of the pending replug, or -1 */
};

struct ffs_descs {
	struct usb_functionfs_descs_head_v2 head;
	__le32 fs_count;
	__le32 hs_count;
	struct {
		struct usb_interface_descriptor intf;
		struct usb_endpoint_descriptor_no_audio ep[3];
	} __attribute__((packed)) fs, hs;
} __attribute__((packed));

struct ffs_strings {
	struct usb_functionfs_strings_head head;
	__le16 lang;
	/* Exactly the string and its NUL: FunctionFS rejects padding. */
	char str[sizeof(INTERFACE_NAME)];
} __attribute__((packed));

static int queue_init(struct queue *q)
{
	q->slots = calloc(QUEUE_LEN, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	return 0;
}

static void queue_destroy(struct queue *q)
{
	if (!q->slots)
		return;
	secure_zero(q->slots, QUEUE_LEN * sizeof(*q->slots));
	free(q->slots);
	q->slots = NULL;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
}

/* Append a copy of data; -EAGAIN when full, -EMSGSIZE when too long. */
static int queue_push(struct queue *q, const u8 *data, size_t n)
{
	struct msg *m;
	int ret = 0;

	if (n > SIM_OUT_MAX)
		return -EMSGSIZE;
	pthread_mutex_lock(&q->lock);
	if (q->count == QUEUE_LEN) {
		ret = -EAGAIN;
		goto out;
	}
	m = &q->slots[(q->head + q->count) % QUEUE_LEN];
	memcpy(m->data, data, n);
	m->n = n;
	q->count++;
	pthread_cond_signal(&q->cond);
out:
	pthread_mutex_unlock(&q->lock);
	return ret;
}

/* Move the oldest message into *ret; false when empty (non-blocking). */
static bool queue_pop(struct queue *q, struct msg *ret)
{
	struct msg *m;
	bool found = false;

	pthread_mutex_lock(&q->lock);
	if (q->count) {
		m = &q->slots[q->head];
		memcpy(ret->data, m->data, m->n);
		ret->n = m->n;
		secure_zero(m, sizeof(*m));
		q->head = (q->head + 1) % QUEUE_LEN;
		q->count--;
		found = true;
	}
	pthread_mutex_unlock(&q->lock);
	return found;
}

/* Wait until q has a message or *stop is set. */
static void queue_wait(struct queue *q, atomic_bool *stop)
{
	pthread_mutex_lock(&q->lock);
	while (!q->count && !atomic_load(stop))
		pthread_cond_wait(&q->cond, &q->lock);
	pthread_mutex_unlock(&q->lock);
}

/* Wake whoever waits on q (to notice a stop). */
static void queue_wake(struct queue *q)
{
	if (!q->slots)
		return;
	pthread_mutex_lock(&q->lock);
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static void queue_flush(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	secure_zero(q->slots, QUEUE_LEN * sizeof(*q->slots));
	q->head = 0;
	q->count = 0;
	pthread_mutex_unlock(&q->lock);
}

static void fill_endpoints(struct usb_endpoint_descriptor_no_audio *ep,
			   enum sim_gadget_layout layout, bool high_speed)
{
	u16 bulk = high_speed ? 512 : 64;

	ep[0] = (struct usb_endpoint_descriptor_no_audio){
		.bLength = sizeof(ep[0]),
		.bDescriptorType = USB_DT_ENDPOINT,
		.bEndpointAddress = 1 | USB_DIR_OUT,
		.bmAttributes = USB_ENDPOINT_XFER_BULK,
		.wMaxPacketSize = htole16(bulk),
	};
	ep[1] = ep[0];
	ep[1].bEndpointAddress = 2 | USB_DIR_IN;
	ep[2] = ep[0];
	ep[2].bEndpointAddress = 3 | USB_DIR_IN;
	if (layout == SIM_GADGET_READER) {
		ep[2].bmAttributes = USB_ENDPOINT_XFER_INT;
		ep[2].wMaxPacketSize = htole16(high_speed ? 512 : 64);
		/* Every (micro)frame: events are rare but wanted at once. */
		ep[2].bInterval = 1;
	}
}

static void fill_interface(struct usb_interface_descriptor *intf)
{
	*intf = (struct usb_interface_descriptor){
		.bLength = sizeof(*intf),
		.bDescriptorType = USB_DT_INTERFACE,
		.bNumEndpoints = 3,
		.bInterfaceClass = PRW_USB_CLASS,
		.bInterfaceSubClass = PRW_USB_SUBCLASS,
		.bInterfaceProtocol = PRW_USB_PROTOCOL,
		.iInterface = 1,
	};
}

static int write_all(int fd, const void *buf, size_t n)
{
	ssize_t w = write(fd, buf, n);

	if (w < 0)
		return -errno;
	return (size_t)w == n ? 0 : -EIO;
}

static int write_descriptors(int ep0, enum sim_gadget_layout layout)
{
	struct ffs_descs d;
	struct ffs_strings s;
	int ret;

	memset(&d, 0, sizeof(d));
	d.head.magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	d.head.length = htole32(sizeof(d));
	d.head.flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
	d.fs_count = htole32(4);
	d.hs_count = htole32(4);
	fill_interface(&d.fs.intf);
	fill_interface(&d.hs.intf);
	fill_endpoints(d.fs.ep, layout, false);
	fill_endpoints(d.hs.ep, layout, true);
	ret = write_all(ep0, &d, sizeof(d));
	if (ret)
		return ret;

	memset(&s, 0, sizeof(s));
	s.head.magic = htole32(FUNCTIONFS_STRINGS_MAGIC);
	s.head.length = htole32(sizeof(s));
	s.head.str_count = htole32(1);
	s.head.lang_count = htole32(1);
	s.lang = htole16(0x0409);
	memcpy(s.str, INTERFACE_NAME, sizeof(INTERFACE_NAME));
	return write_all(ep0, &s, sizeof(s));
}

/* Packet sizes follow the speed the UDC came up at (dummy_hcd: high). */
static void update_maxp(struct sim_gadget *g)
{
	_cleanup_close_ int fd = -1;
	glob_t gl = { 0 };
	char speed[32] = "";
	ssize_t n;

	if (glob("/sys/class/udc/*/current_speed", 0, NULL, &gl) == 0 &&
	    gl.gl_pathc > 0)
		fd = open(gl.gl_pathv[0], O_RDONLY | O_CLOEXEC);
	globfree(&gl);
	if (fd >= 0) {
		n = read(fd, speed, sizeof(speed) - 1);
		speed[n > 0 ? n : 0] = '\0';
	}
	if (strncmp(speed, "full-speed", 10) == 0) {
		atomic_store(&g->bulk_maxp, 64);
		atomic_store(&g->int_maxp, 64);
	} else {
		atomic_store(&g->bulk_maxp, 512);
		atomic_store(&g->int_maxp, 512);
	}
}

static void signal_loop(struct sim_gadget *g)
{
	uint64_t one = 1;

	if (write(g->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("posreader-sim: eventfd");
}

/* The host reset or dropped the bus: what was queued is lost. */
static void host_gone(struct sim_gadget *g)
{
	queue_flush(&g->rsp);
	queue_flush(&g->evt);
	atomic_store(&g->reset_pending, true);
	signal_loop(g);
}

static void *ep0_thread(void *arg)
{
	struct sim_gadget *g = arg;
	struct usb_functionfs_event ev[4];
	ssize_t n;
	size_t i;

	while (!atomic_load(&g->stop)) {
		n = read(g->ep0, ev, sizeof(ev));
		if (n < 0) {
			if (errno != EINTR)
				usleep(10000);
			continue;
		}
		for (i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
			switch (ev[i].type) {
			case FUNCTIONFS_ENABLE:
				update_maxp(g);
				atomic_store(&g->enabled, true);
				break;
			case FUNCTIONFS_DISABLE:
			case FUNCTIONFS_UNBIND:
				atomic_store(&g->enabled, false);
				host_gone(g);
				break;
			case FUNCTIONFS_SETUP:
				/*
				 * No class or vendor requests: stall. In
				 * FunctionFS, I/O against the request's own
				 * direction is what halts ep0.
				 */
				if (ev[i].u.setup.bRequestType & USB_DIR_IN)
					(void)!read(g->ep0, NULL, 0);
				else
					(void)!write(g->ep0, NULL, 0);
				break;
			default:
				break;
			}
		}
	}
	return NULL;
}

static int ep_open(struct ep_thread *t, int flags)
{
	char path[PATH_MAX];

	if (t->fd >= 0)
		return t->fd;
	snprintf(path, sizeof(path), "%s/%s", t->g->dir, t->name);
	t->fd = open(path, flags | O_CLOEXEC);
	return t->fd;
}

static void *out_thread(void *arg)
{
	struct ep_thread *t = arg;
	u8 *buf = t->buf->data;
	ssize_t n;

	while (!atomic_load(&t->g->stop)) {
		if (ep_open(t, O_RDONLY) < 0) {
			usleep(10000);
			continue;
		}
		n = read(t->fd, buf, SIM_OUT_MAX);
		if (n < 0) {
			/* Disabled endpoint: the next read waits for ENABLE. */
			if (errno != ESHUTDOWN && errno != EINTR)
				usleep(1000);
			continue;
		}
		if (queue_push(t->q, buf, n) == 0)
			signal_loop(t->g);
		secure_zero(buf, n);
	}
	return NULL;
}

static void *in_thread(void *arg)
{
	struct ep_thread *t = arg;
	struct msg *m = t->buf;
	unsigned int maxp;

	while (!atomic_load(&t->g->stop)) {
		queue_wait(t->q, &t->g->stop);
		if (!queue_pop(t->q, m))
			continue;
		if (ep_open(t, O_WRONLY) < 0) {
			secure_zero(m, sizeof(*m));
			continue;
		}
		maxp = atomic_load(t->interrupt ? &t->g->int_maxp :
						  &t->g->bulk_maxp);
		/* Errors mean the host went away; the frame is lost. */
		if (write(t->fd, m->data, m->n) == (ssize_t)m->n && m->n &&
		    m->n % maxp == 0)
			/* A frame ending on a packet boundary needs a
			 * zero-length packet to end the transfer. */
			(void)!write(t->fd, m->data, 0);
		secure_zero(m, sizeof(*m));
	}
	return NULL;
}

static int start_thread(pthread_t *tid, bool *running, void *(*fn)(void *),
			void *arg)
{
	int ret = pthread_create(tid, NULL, fn, arg);

	if (ret)
		return -ret;
	*running = true;
	return 0;
}

/*
 * Join a thread told to stop. Endpoint I/O blocks in the kernel until a
 * signal interrupts it (EINTR); send it again in case it arrived just
 * before the thread blocked.
 */
static void stop_thread(pthread_t tid, bool *running)
{
	struct timespec ts;

	if (!*running)
		return;
	for (;;) {
		pthread_kill(tid, WAKE_SIGNAL);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000 * 1000;
		if (ts.tv_nsec >= 1000 * 1000 * 1000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * 1000 * 1000;
		}
		if (pthread_timedjoin_np(tid, NULL, &ts) == 0)
			break;
	}
	*running = false;
}

static void on_wake_signal(int sig)
{
}

static int ep_thread_setup(struct ep_thread *t, struct sim_gadget *g,
			   const char *name, struct queue *q, bool interrupt)
{
	t->g = g;
	t->name = name;
	t->q = q;
	t->interrupt = interrupt;
	t->fd = -1;
	t->buf = calloc(1, sizeof(*t->buf));
	return t->buf ? 0 : -ENOMEM;
}

static void on_frames(void *userdata, int fd, short revents)
{
	sim_gadget_dispatch(userdata);
}

int sim_gadget_new(struct sim_loop *loop, const char *ffs_dir,
		   enum sim_gadget_layout layout, struct sim_gadget **ret)
{
	char path[PATH_MAX];
	struct sigaction sa;
	struct sim_gadget *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ep0 = -1;
	g->efd = -1;
	g->replug_fd = -1;
	g->layout = layout;
	atomic_init(&g->bulk_maxp, 512);
	atomic_init(&g->int_maxp, 512);
	r = ep_thread_setup(&g->out, g, "ep1", &g->rx, false);
	if (!r)
		r = ep_thread_setup(&g->rsp_ep, g, "ep2", &g->rsp, false);
	if (!r)
		r = ep_thread_setup(&g->evt_ep, g, "ep3", &g->evt, true);
	if (r)
		goto err;

	g->dir = strdup(ffs_dir);
	if (!g->dir) {
		r = -ENOMEM;
		goto err;
	}
	r = queue_init(&g->rx);
	if (!r)
		r = queue_init(&g->rsp);
	if (!r)
		r = queue_init(&g->evt);
	if (r)
		goto err;

	g->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->efd < 0) {
		r = -errno;
		goto err;
	}
	snprintf(path, sizeof(path), "%s/ep0", ffs_dir);
	g->ep0 = open(path, O_RDWR | O_CLOEXEC);
	if (g->ep0 < 0) {
		r = -errno;
		fprintf(stderr, "posreader-sim: %s: %s\n", path, strerror(-r));
		goto err;
	}
	r = write_descriptors(g->ep0, layout);
	if (r) {
		fprintf(stderr, "posreader-sim: FunctionFS descriptors: %s\n",
			strerror(-r));
		goto err;
	}

	/* No SA_RESTART: the signal must end blocking endpoint I/O. */
	sa.sa_handler = on_wake_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	if (sigaction(WAKE_SIGNAL, &sa, NULL) < 0) {
		r = -errno;
		goto err;
	}

	r = start_thread(&g->ep0_tid, &g->ep0_running, ep0_thread, g);
	if (!r)
		r = start_thread(&g->out.tid, &g->out.running, out_thread,
				 &g->out);
	if (!r)
		r = start_thread(&g->rsp_ep.tid, &g->rsp_ep.running, in_thread,
				 &g->rsp_ep);
	if (!r)
		r = start_thread(&g->evt_ep.tid, &g->evt_ep.running, in_thread,
				 &g->evt_ep);
	if (r)
		goto err;

	if (loop) {
		r = sim_loop_add(loop, g->efd, POLLIN, on_frames, g);
		if (r)
			goto err;
		g->loop = loop;
	}
	*ret = g;
	return 0;
err:
	sim_gadget_free(g);
	return r;
}

void sim_gadget_attach(struct sim_gadget *g, struct sim_device *dev)
{
	g->dev = dev;
}

int sim_gadget_output(void *userdata, enum sim_channel channel, const u8 *frame,
		      size_t n)
{
	struct sim_gadget *g = userdata;

	return queue_push(channel == SIM_CH_EVENT ? &g->evt : &g->rsp, frame,
			  n);
}

int sim_gadget_fd(const struct sim_gadget *g)
{
	return g->efd;
}

void sim_gadget_dispatch(struct sim_gadget *g)
{
	_cleanup_free_ struct msg *m = malloc(sizeof(*m));
	uint64_t count;

	if (read(g->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		perror("posreader-sim: eventfd");
	if (!g->dev)
		return;
	if (atomic_exchange(&g->reset_pending, false))
		sim_device_host_reset(g->dev);
	if (!m)
		return;
	while (queue_pop(&g->rx, m)) {
		/* Bad frames are the model's business: it reports them. */
		(void)sim_device_handle_frame(g->dev, m->data, m->n);
		secure_zero(m, sizeof(*m));
	}
}

static void ep_thread_stop(struct ep_thread *t)
{
	stop_thread(t->tid, &t->running);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->buf)
		secure_zero(t->buf, sizeof(*t->buf));
	free(t->buf);
	t->buf = NULL;
}

static bool host_connected(void *userdata)
{
	struct sim_gadget *g = userdata;

	return atomic_load(&g->enabled);
}

/* Write s to the configfs gadget's UDC file (bind, or "" to unbind). */
static int write_udc(struct sim_gadget *g, const char *s)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/UDC", g->configfs);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write_all(fd, s, strlen(s));
}

static void on_replug(void *userdata, int fd, short revents)
{
	struct sim_gadget *g = userdata;
	int r;

	sim_loop_remove(g->loop, g->replug_fd);
	close(g->replug_fd);
	g->replug_fd = -1;
	r = write_udc(g, g->udc);
	if (r < 0)
		fprintf(stderr, "posreader-sim: cannot bind %s again: %s\n",
			g->udc, strerror(-r));
	else
		fprintf(stderr, "posreader-sim: plugged in again\n");
}

/*
 * A FunctionFS function cannot drop the bus by itself: with the configfs
 * gadget known, unbind it from its UDC and bind it again REPLUG_MS later,
 * as a cable pulled and plugged back in.
 */
static int host_disconnect(void *userdata)
{
	struct itimerspec its = { .it_value.tv_nsec = REPLUG_MS * 1000000L };
	struct sim_gadget *g = userdata;
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r;

	if (!g->configfs || !g->loop)
		return -EOPNOTSUPP;
	if (!atomic_load(&g->enabled) || g->replug_fd >= 0)
		return -ENOTCONN;
	snprintf(path, sizeof(path), "%s/UDC", g->configfs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, g->udc, sizeof(g->udc) - 1);
	if (n < 0)
		return -errno;
	g->udc[n] = '\0';
	g->udc[strcspn(g->udc, "\n")] = '\0';
	if (!g->udc[0])
		return -ENOTCONN;
	g->replug_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (g->replug_fd < 0)
		return -errno;
	r = timerfd_settime(g->replug_fd, 0, &its, NULL) < 0 ? -errno : 0;
	if (!r)
		r = sim_loop_add(g->loop, g->replug_fd, POLLIN, on_replug, g);
	if (!r)
		r = write_udc(g, "\n");
	if (r) {
		sim_loop_remove(g->loop, g->replug_fd);
		close(g->replug_fd);
		g->replug_fd = -1;
		return r;
	}
	atomic_store(&g->enabled, false);
	fprintf(stderr, "posreader-sim: unplugged from %s\n", g->udc);
	return 0;
}

static void host_quit(void *userdata)
{
	struct sim_gadget *g = userdata;

	if (g->loop)
		sim_loop_quit(g->loop);
}

void sim_gadget_host_ops(struct sim_gadget *g, struct sim_host_ops *ret)
{
	ret->userdata = g;
	ret->connected = host_connected;
	ret->disconnect = host_disconnect;
	ret->quit = host_quit;
}

void sim_gadget_free(struct sim_gadget *g)
{
	if (!g)
		return;
	if (g->loop)
		sim_loop_remove(g->loop, g->efd);
	if (g->replug_fd >= 0) {
		if (g->loop)
			sim_loop_remove(g->loop, g->replug_fd);
		close(g->replug_fd);
	}
	atomic_store(&g->stop, true);
	queue_wake(&g->evt);
	queue_wake(&g->rsp);
	ep_thread_stop(&g->evt_ep);
	ep_thread_stop(&g->rsp_ep);
	ep_thread_stop(&g->out);
	stop_thread(g->ep0_tid, &g->ep0_running);
	if (g->ep0 >= 0)
		close(g->ep0);
	if (g->efd >= 0)
		close(g->efd);
	queue_destroy(&g->evt);
	queue_destroy(&g->rsp);
	queue_destroy(&g->rx);
	free(g->configfs);
	free(g->dir);
	free(g);
}

int sim_gadget_set_configfs(struct sim_gadget *g, const char *dir)
{
	char *copy = dir ? strdup(dir) : NULL;

	if (dir && !copy)
		return -ENOMEM;
	free(g->configfs);
	g->configfs = copy;
	return 0;
}

static void on_signal(void *userdata, int fd, short revents)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == sizeof(si))
		sim_loop_quit(userdata);
}

int sim_gadget_serve(const struct sim_identity *id, const char *ffs_dir,
		     const char *configfs, const char *control_path)
{
	struct sim_gadget *g = NULL;
	struct sim_device *dev = NULL;
	struct sim_ctlsrv *ctl = NULL;
	struct sim_loop *loop = NULL;
	_cleanup_close_ int sfd = -1;
	struct sim_host_ops host;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	/* Blocked before the threads start, so they inherit the mask. */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return -errno;

	r = sim_loop_new(&loop);
	if (r < 0)
		return r;
	r = sim_gadget_new(loop, ffs_dir, SIM_GADGET_READER, &g);
	if (r < 0)
		goto out_loop;
	r = sim_gadget_set_configfs(g, configfs);
	if (r < 0)
		goto out_gadget;
	r = sim_device_new(id, sim_gadget_output, g, &dev);
	if (r < 0)
		goto out_gadget;
	sim_gadget_attach(g, dev);
	sim_loop_set_device(loop, dev);
	sim_gadget_host_ops(g, &host);
	r = sim_ctlsrv_new(loop, control_path, dev, &host, &ctl);
	if (r < 0) {
		fprintf(stderr, "posreader-sim: cannot listen on %s: %s\n",
			control_path, strerror(-r));
		goto out_device;
	}
	r = sim_loop_add(loop, sfd, POLLIN, on_signal, loop);
	if (r < 0)
		goto out_ctl;
	fprintf(stderr,
		"posreader-sim: serial %s on FunctionFS %s, control %s\n",
		id->serial, ffs_dir, control_path);
	r = sim_loop_run(loop);
	fprintf(stderr, "posreader-sim: stopped\n");

out_ctl:
	sim_ctlsrv_free(ctl);
out_device:
	/* Threads stop before the model they feed goes away. */
	sim_gadget_free(g);
	g = NULL;
	sim_device_free(dev);
out_gadget:
	sim_gadget_free(g);
out_loop:
	sim_loop_free(loop);
	return r;
}
