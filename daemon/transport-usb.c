// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The usb transport. One frame is one USB transfer (docs/protocol.md):
 * commands go out on bulk OUT, responses come on bulk IN and events on
 * interrupt IN, each IN endpoint with one transfer of PRW_MAX_FRAME bytes
 * always posted. libusb's file descriptors live on the sd-event loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libusb.h>
#include <sys/epoll.h>
#include <systemd/sd-device.h>

#include "log.h"
#include "manager.h"
#include "reader.h"
#include "transport-usb.h"
#include "util.h"

/* OUT transfers a link may have in flight (one command, plus stale ones
 * a silent device has not taken yet). */
#define USB_OUT_MAX  4
/* How long teardown waits for cancelled transfers to come back. */
#define USB_DRAIN_MS 1000

struct usb_state;

struct usb_link {
	struct usb_link *next;
	struct usb_state *usb;
	struct reader *reader;
	char *syspath; /* the interface's sysfs path */
	int fd;	       /* usbfs node, wrapped by libusb */
	libusb_device_handle *handle;
	int ifnum;
	uint8_t ep_out, ep_in, ep_evt;
	struct libusb_transfer *in_xfer, *evt_xfer;
	struct libusb_transfer *out_xfer[USB_OUT_MAX];
	bool claimed;
	bool gone;
	uint8_t in_buf[PRW_MAX_FRAME];
	uint8_t evt_buf[PRW_MAX_FRAME];
};

struct usb_state {
	struct manager *mgr;
	libusb_context *ctx;
	sd_device_monitor *monitor;
	struct usb_fd *fds;
	struct usb_link *links;
};

/* One libusb file descriptor on the event loop. */
struct usb_fd {
	struct usb_fd *next;
	int fd;
	sd_event_source *src;
};

/* ---- libusb on sd-event ------------------------------------------------ */

static int usb_fd_event(sd_event_source *s, int fd, uint32_t revents,
			void *userdata)
{
	struct usb_state *usb = userdata;
	struct timeval zero = { 0 };

	libusb_handle_events_timeout_completed(usb->ctx, &zero, NULL);
	return 0;
}

static void usb_fd_added(int fd, short events, void *userdata)
{
	struct usb_state *usb = userdata;
	struct usb_fd *f = calloc(1, sizeof(*f));
	uint32_t ev = 0;

	if (!f)
		goto fail;
	if (events & POLLIN)
		ev |= EPOLLIN;
	if (events & POLLOUT)
		ev |= EPOLLOUT;
	f->fd = fd;
	if (sd_event_add_io(usb->mgr->event, &f->src, fd, ev, usb_fd_event,
			    usb) < 0)
		goto fail;
	f->next = usb->fds;
	usb->fds = f;
	return;
fail:
	free(f);
	log_error("usb: cannot watch a libusb descriptor; USB readers may "
		  "stall");
}

static void usb_fd_removed(int fd, void *userdata)
{
	struct usb_state *usb = userdata;

	for (struct usb_fd **pp = &usb->fds; *pp; pp = &(*pp)->next) {
		struct usb_fd *f = *pp;

		if (f->fd == fd) {
			*pp = f->next;
			sd_event_source_disable_unref(f->src);
			free(f);
			return;
		}
	}
}

/* ---- Transfers ----------------------------------------------------------- */

static void link_lost(struct usb_link *l, const char *why)
{
	if (l->gone)
		return;
	l->gone = true;
	log_info("usb %s: %s", l->syspath, why);
	if (l->reader)
		reader_lost(l->reader, -ENODEV);
}

static void in_done(struct libusb_transfer *t)
{
	struct usb_link *l = t->user_data;

	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		if (t->actual_length > 0 && l->reader)
			reader_input(l->reader, t->buffer, t->actual_length);
		secure_zero(t->buffer, t->actual_length);
		break;
	case LIBUSB_TRANSFER_OVERFLOW:
		log_warning("usb %s: dropped a transfer longer than a frame",
			    l->syspath);
		break;
	case LIBUSB_TRANSFER_TIMED_OUT:
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		return;
	case LIBUSB_TRANSFER_NO_DEVICE:
		link_lost(l, "unplugged");
		return;
	default:
		/* STALL, ERROR (also what an unplug may look like first):
		 * the reader is unusable. */
		link_lost(l, t->status == LIBUSB_TRANSFER_STALL ?
				     "an IN endpoint stalled" :
				     "an IN transfer failed");
		return;
	}
	if (!l->gone && libusb_submit_transfer(t) < 0)
		link_lost(l, "cannot post an IN transfer");
}

static void out_done(struct libusb_transfer *t)
{
	struct usb_link *l = t->user_data;

	for (int i = 0; i < USB_OUT_MAX; i++)
		if (l->out_xfer[i] == t)
			l->out_xfer[i] = NULL;
	if (t->status == LIBUSB_TRANSFER_NO_DEVICE)
		link_lost(l, "device gone");
	else if (t->status != LIBUSB_TRANSFER_COMPLETED &&
		 t->status != LIBUSB_TRANSFER_CANCELLED)
		log_warning("usb %s: command not sent (%s)", l->syspath,
			    libusb_error_name(t->status));
	secure_zero(t->buffer, t->length);
	free(t->buffer);
	libusb_free_transfer(t);
}

static int usb_send(void *priv, const uint8_t *frame, size_t len)
{
	struct usb_link *l = priv;
	struct libusb_transfer *t;
	uint8_t *buf;
	int slot = -1, ret;

	if (l->gone)
		return -ENODEV;
	for (int i = 0; i < USB_OUT_MAX && slot < 0; i++)
		if (!l->out_xfer[i])
			slot = i;
	if (slot < 0)
		return -ENOBUFS;
	t = libusb_alloc_transfer(0);
	buf = malloc(len);
	if (!t || !buf) {
		libusb_free_transfer(t);
		free(buf);
		return -ENOMEM;
	}
	memcpy(buf, frame, len);
	libusb_fill_bulk_transfer(t, l->handle, l->ep_out, buf, len, out_done,
				  l, PRW_TIMEOUT_DEFAULT_MS);
	/* A frame filling whole packets ends with a zero-length one. */
	t->flags = LIBUSB_TRANSFER_ADD_ZERO_PACKET;
	ret = libusb_submit_transfer(t);
	if (ret < 0) {
		secure_zero(buf, len);
		free(buf);
		libusb_free_transfer(t);
		return ret == LIBUSB_ERROR_NO_DEVICE ? -ENODEV : -EIO;
	}
	l->out_xfer[slot] = t;
	return 0;
}

/* Cancel every transfer of l and wait (bounded) for them to return. */
static void link_drain(struct usb_link *l)
{
	struct timeval tv = { 0, 10000 };
	uint64_t waited = 0;
	bool busy;

	l->gone = true;
	do {
		busy = false;
		if (l->in_xfer && libusb_cancel_transfer(l->in_xfer) == 0)
			busy = true;
		if (l->evt_xfer && libusb_cancel_transfer(l->evt_xfer) == 0)
			busy = true;
		for (int i = 0; i < USB_OUT_MAX; i++)
			if (l->out_xfer[i]) {
				libusb_cancel_transfer(l->out_xfer[i]);
				busy = true;
			}
		if (busy)
			libusb_handle_events_timeout_completed(l->usb->ctx, &tv,
							       NULL);
		waited += 10;
	} while (busy && waited < USB_DRAIN_MS);
}

static void link_unlink(struct usb_link *l)
{
	for (struct usb_link **pp = &l->usb->links; *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			return;
		}
}

static void usb_destroy(void *priv)
{
	struct usb_link *l = priv;

	link_unlink(l);
	if (l->handle) {
		link_drain(l);
		if (l->claimed)
			libusb_release_interface(l->handle, l->ifnum);
		libusb_close(l->handle);
	}
	libusb_free_transfer(l->in_xfer);
	libusb_free_transfer(l->evt_xfer);
	closep(&l->fd);
	free(l->syspath);
	free(l);
}

static const struct reader_transport usb_transport = {
	.name = "usb",
	.send = usb_send,
	.destroy = usb_destroy,
};

/* ---- Attaching an interface -------------------------------------------- */

/* Find the interface's three endpoints by type and direction. */
static int find_endpoints(struct usb_link *l)
{
	struct libusb_config_descriptor *cfg = NULL;
	const struct libusb_interface_descriptor *alt = NULL;
	int n_out = 0, n_in = 0, n_evt = 0, ret;

	ret = libusb_get_active_config_descriptor(libusb_get_device(l->handle),
						  &cfg);
	if (ret < 0)
		return -EIO;
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];

		if (itf->num_altsetting > 0 &&
		    itf->altsetting[0].bInterfaceNumber == l->ifnum)
			alt = &itf->altsetting[0];
	}
	if (!alt || alt->bInterfaceClass != PRW_USB_CLASS ||
	    alt->bInterfaceSubClass != PRW_USB_SUBCLASS ||
	    alt->bInterfaceProtocol != PRW_USB_PROTOCOL) {
		ret = -ENODEV;
		goto out;
	}
	for (int e = 0; e < alt->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
		int type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
		bool in = ep->bEndpointAddress & LIBUSB_ENDPOINT_IN;

		if (type == LIBUSB_TRANSFER_TYPE_BULK && !in) {
			l->ep_out = ep->bEndpointAddress;
			n_out++;
		} else if (type == LIBUSB_TRANSFER_TYPE_BULK && in) {
			l->ep_in = ep->bEndpointAddress;
			n_in++;
		} else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in) {
			l->ep_evt = ep->bEndpointAddress;
			n_evt++;
		}
	}
	/* Exactly one of each, or the interface is not a posreader. */
	ret = n_out == 1 && n_in == 1 && n_evt == 1 ? 0 : -EPROTO;
out:
	libusb_free_config_descriptor(cfg);
	return ret;
}

static int post_in(struct usb_link *l, struct libusb_transfer **ret, uint8_t ep,
		   uint8_t *buf, bool interrupt)
{
	struct libusb_transfer *t = libusb_alloc_transfer(0);

	if (!t)
		return -ENOMEM;
	if (interrupt)
		libusb_fill_interrupt_transfer(t, l->handle, ep, buf,
					       PRW_MAX_FRAME, in_done, l, 0);
	else
		libusb_fill_bulk_transfer(t, l->handle, ep, buf, PRW_MAX_FRAME,
					  in_done, l, 0);
	*ret = t;
	return libusb_submit_transfer(t) < 0 ? -EIO : 0;
}

static bool link_exists(struct usb_state *usb, const char *syspath)
{
	for (struct usb_link *l = usb->links; l; l = l->next)
		if (!l->gone && strcmp(l->syspath, syspath) == 0)
			return true;
	return false;
}

/* A posreader interface appeared (or was found at start). */
static int usb_attach(struct usb_state *usb, sd_device *itf)
{
	const char *syspath, *devname, *driver = NULL, *num;
	sd_device *parent;
	struct usb_link *l;
	int ret;

	if (sd_device_get_syspath(itf, &syspath) < 0 ||
	    link_exists(usb, syspath))
		return 0;
	if (sd_device_get_driver(itf, &driver) >= 0 && driver) {
		/* Bound: the kernel transport's, never ours. */
		log_debug("usb %s: driven by %s; leaving it alone", syspath,
			  driver);
		return 0;
	}
	if (sd_device_get_parent_with_subsystem_devtype(
		    itf, "usb", "usb_device", &parent) < 0 ||
	    sd_device_get_devname(parent, &devname) < 0 ||
	    sd_device_get_sysattr_value(itf, "bInterfaceNumber", &num) < 0)
		return 0;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->usb = usb;
	l->fd = -1;
	l->ifnum = (int)strtol(num, NULL, 16);
	l->syspath = strdup(syspath);
	l->next = usb->links;
	usb->links = l;
	if (!l->syspath) {
		ret = -ENOMEM;
		goto err;
	}
	l->fd = open(devname, O_RDWR | O_CLOEXEC);
	if (l->fd < 0) {
		ret = log_warning_errno(-errno, "usb %s: cannot open %s",
					syspath, devname);
		goto err;
	}
	if (libusb_wrap_sys_device(usb->ctx, l->fd, &l->handle) < 0) {
		ret = log_warning_errno(-EIO, "usb %s: libusb refused it",
					syspath);
		goto err;
	}
	ret = find_endpoints(l);
	if (ret < 0) {
		log_warning("usb %s: not a posreader interface", syspath);
		goto err;
	}
	/* Never detach a kernel driver, even one that bound meanwhile. */
	if (libusb_kernel_driver_active(l->handle, l->ifnum) == 1) {
		ret = 0;
		goto err;
	}
	if (libusb_claim_interface(l->handle, l->ifnum) < 0) {
		ret = log_warning_errno(-EBUSY, "usb %s: interface is in use",
					syspath);
		goto err;
	}
	l->claimed = true;
	ret = post_in(l, &l->in_xfer, l->ep_in, l->in_buf, false);
	if (ret >= 0)
		ret = post_in(l, &l->evt_xfer, l->ep_evt, l->evt_buf, true);
	if (ret < 0)
		goto err;
	ret = reader_new(usb->mgr, &usb_transport, l, syspath, &l->reader);
	if (ret < 0)
		goto err;
	log_debug("usb %s: probing", syspath);
	return 0;
err:
	usb_destroy(l);
	return ret;
}

static int usb_event(sd_device_monitor *mon, sd_device *dev, void *userdata)
{
	struct usb_state *usb = userdata;
	sd_device_action_t action;
	const char *syspath;

	if (sd_device_get_action(dev, &action) < 0 ||
	    sd_device_get_syspath(dev, &syspath) < 0)
		return 0;
	switch (action) {
	case SD_DEVICE_ADD:
	case SD_DEVICE_UNBIND:
		usb_attach(usb, dev);
		break;
	case SD_DEVICE_REMOVE:
		for (struct usb_link *l = usb->links; l; l = l->next)
			if (strcmp(l->syspath, syspath) == 0)
				link_lost(l, "unplugged");
		break;
	default:
		break;
	}
	return 0;
}

/* Make e list posreader interfaces (class, subclass, protocol). */
static int match_interface(sd_device_enumerator *e)
{
	char cls[4], sub[4], proto[4];
	int ret;

	snprintf(cls, sizeof(cls), "%02x", PRW_USB_CLASS);
	snprintf(sub, sizeof(sub), "%02x", PRW_USB_SUBCLASS);
	snprintf(proto, sizeof(proto), "%02x", PRW_USB_PROTOCOL);
	ret = sd_device_enumerator_add_match_subsystem(e, "usb", true);
	if (ret >= 0)
		ret = sd_device_enumerator_add_match_sysattr(
			e, "bInterfaceClass", cls, true);
	if (ret >= 0)
		ret = sd_device_enumerator_add_match_sysattr(
			e, "bInterfaceSubClass", sub, true);
	if (ret >= 0)
		ret = sd_device_enumerator_add_match_sysattr(
			e, "bInterfaceProtocol", proto, true);
	return ret;
}

/* For hotplug: the monitor's filter is coarse, check the class here. */
static int usb_monitor_event(sd_device_monitor *mon, sd_device *dev,
			     void *userdata)
{
	const char *cls = NULL, *sub = NULL, *proto = NULL;
	sd_device_action_t action;

	if (sd_device_get_action(dev, &action) >= 0 &&
	    action == SD_DEVICE_REMOVE)
		return usb_event(mon, dev, userdata);
	if (sd_device_get_sysattr_value(dev, "bInterfaceClass", &cls) < 0 ||
	    sd_device_get_sysattr_value(dev, "bInterfaceSubClass", &sub) < 0 ||
	    sd_device_get_sysattr_value(dev, "bInterfaceProtocol", &proto) < 0)
		return 0;
	if (strtol(cls, NULL, 16) != PRW_USB_CLASS ||
	    strtol(sub, NULL, 16) != PRW_USB_SUBCLASS ||
	    strtol(proto, NULL, 16) != PRW_USB_PROTOCOL)
		return 0;
	return usb_event(mon, dev, userdata);
}

int usb_start(struct manager *m)
{
	sd_device_enumerator *e = NULL;
	struct usb_state *usb;
	const struct libusb_pollfd **fds;
	int ret;

	usb = calloc(1, sizeof(*usb));
	if (!usb)
		return -ENOMEM;
	usb->mgr = m;
	m->usb = usb;

	/* Devices come from udev, so libusb needs no discovery thread. */
	libusb_set_option(NULL, LIBUSB_OPTION_NO_DEVICE_DISCOVERY);
	if (libusb_init(&usb->ctx) < 0) {
		usb->ctx = NULL;
		return log_error_errno(-EIO, "usb: cannot initialise libusb");
	}
	if (!libusb_pollfds_handle_timeouts(usb->ctx))
		return log_error_errno(-ENOTSUP,
				       "usb: this libusb needs "
				       "timers of its own; USB disabled");
	libusb_set_pollfd_notifiers(usb->ctx, usb_fd_added, usb_fd_removed,
				    usb);
	fds = libusb_get_pollfds(usb->ctx);
	for (int i = 0; fds && fds[i]; i++)
		usb_fd_added(fds[i]->fd, fds[i]->events, usb);
	libusb_free_pollfds(fds);

	ret = sd_device_monitor_new(&usb->monitor);
	if (ret >= 0)
		ret = sd_device_monitor_filter_add_match_subsystem_devtype(
			usb->monitor, "usb", "usb_interface");
	if (ret >= 0)
		ret = sd_device_monitor_attach_event(usb->monitor, m->event);
	if (ret >= 0)
		ret = sd_device_monitor_start(usb->monitor, usb_monitor_event,
					      usb);
	if (ret < 0)
		log_warning_errno(ret, "usb: no hotplug (udev monitor)");

	ret = sd_device_enumerator_new(&e);
	if (ret >= 0)
		ret = match_interface(e);
	if (ret < 0) {
		sd_device_enumerator_unref(e);
		return log_error_errno(ret, "usb: cannot enumerate devices");
	}
	for (sd_device *d = sd_device_enumerator_get_device_first(e); d;
	     d = sd_device_enumerator_get_device_next(e))
		usb_attach(usb, d);
	sd_device_enumerator_unref(e);
	log_info("usb: watching for posreader interfaces");
	return 0;
}

void usb_stop(struct manager *m)
{
	struct usb_state *usb = m->usb;

	if (!usb)
		return;
	/* Readers (and with them their links) are freed by the manager
	 * before this runs. */
	sd_device_monitor_unref(usb->monitor);
	if (usb->ctx) {
		libusb_set_pollfd_notifiers(usb->ctx, NULL, NULL, NULL);
		libusb_exit(usb->ctx);
	}
	while (usb->fds) {
		struct usb_fd *f = usb->fds;

		usb->fds = f->next;
		sd_event_source_disable_unref(f->src);
		free(f);
	}
	free(usb);
	m->usb = NULL;
}
