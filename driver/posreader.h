/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * posreader.ko internals shared by its files:
 *   core.c    module init/exit, device object lifetime, minor numbers
 *   usb.c     USB transport: probe/disconnect, endpoints, URBs, power
 *   proto.c   wire protocol: one command at a time, response matching
 *   events.c  event frames into records, the per-file event queues
 *   chardev.c file operations of /dev/posreaderN
 *   ioctl.c   the command ioctls
 *   sysfs.c   class attributes and uevent variables
 */
#ifndef POSREADER_DRV_H
#define POSREADER_DRV_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/usb.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <linux/posreader.h>
#include <posreader/wire.h>

#define POSREADER_NAME	      "posreader"
#define POSREADER_MAX_DEVICES 64
/*
 * Event records queued per open file; when full, the queued ones are kept
 * and newer ones counted as lost.
 */
#define POSREADER_QUEUE_LEN   64

/* Bits in posreader_dev.flags. */
enum {
	POSREADER_GONE,	 /* unplugged: no new I/O may start */
	POSREADER_OWNED, /* a file opened for writing owns the commands */
};

struct posreader_dev {
	struct kref kref;
	struct usb_device *udev;    /* referenced until the last put */
	struct usb_interface *intf; /* NULL once disconnected (io_mutex) */
	struct device *class_dev;   /* /sys/class/posreader/posreaderN */
	struct cdev *cdev;
	int minor;
	unsigned long flags;

	/* Command path. io_mutex serializes commands and guards intf. */
	struct mutex io_mutex;
	u8 seq;
	struct urb *out_urb;
	struct urb *in_urb;
	u8 *out_buf;
	u8 *in_buf;
	struct completion out_done;
	struct completion in_done;
	struct usb_anchor anchor;

	/* Event path: the interrupt URB is always resubmitted. */
	struct urb *int_urb;
	u8 *int_buf;
	struct delayed_work int_retry; /* after a transaction error */
	unsigned int int_errors;       /* in a row; completion only */

	/* Identity read at probe, constant afterwards. */
	struct prw_info info;
	/* Latched tamper causes, POSREADER_TAMPER_* (READ_ONCE). */
	u8 tamper;

	/* Open files; each has its own event queue. */
	spinlock_t ev_lock;
	struct list_head files;
	wait_queue_head_t wait;
	/*
	 * Scratch for the interrupt completion only (it never runs twice at
	 * once); wiped after each use because it holds card data.
	 */
	struct posreader_event ev_scratch;
	struct prw_swipe swipe_scratch;

	atomic_t bad_frames;
	atomic_t stale_frames;
};

/* State of one open file. */
struct posreader_file {
	struct posreader_dev *dev;
	struct list_head node;		/* in dev->files, under ev_lock */
	bool writer;			/* owns the command ioctls */
	struct mutex read_lock;		/* one read() at a time per file */
	struct posreader_event *ring;	/* POSREADER_QUEUE_LEN records */
	struct posreader_event *bounce; /* one record on its way out */
	unsigned int head;
	unsigned int count;
	u32 lost; /* records dropped since last report */
	u32 seq;
};

/* core.c */
extern dev_t posreader_devt;

/* Free the device object once the last reference is gone (kref release). */
void posreader_delete(struct kref *kref);
/* Reserve a minor number for dev; returns it or a negative errno. */
int posreader_minor_alloc(struct posreader_dev *dev);
/* Give back dev's minor: later opens of it fail with -ENODEV. */
void posreader_minor_free(struct posreader_dev *dev);
/* Find the device behind a minor and take a reference, or NULL. */
struct posreader_dev *posreader_get_by_minor(int minor);

/* usb.c */
extern struct usb_driver posreader_usb_driver;

/* Send the frame in dev->out_buf (len bytes) on bulk OUT. */
int posreader_usb_send(struct posreader_dev *dev, size_t len,
		       unsigned long timeout);
/* Receive one bulk IN transfer into dev->in_buf; length in *ret_len. */
int posreader_usb_recv(struct posreader_dev *dev, unsigned long timeout,
		       size_t *ret_len);
/* Submit the interrupt IN URB that carries events. */
int posreader_usb_start_events(struct posreader_dev *dev, gfp_t gfp);

/* proto.c */

/* Take the command lock; -ENODEV once unplugged, -EINTR on a signal. */
int posreader_lock_io(struct posreader_dev *dev);
/* Wipe the frame buffers (they may hold card data) and unlock. */
void posreader_unlock_io(struct posreader_dev *dev);
/*
 * Send the command whose payload (plen bytes) is already at
 * PRW_PAYLOAD(dev->out_buf) and wait for its response. Returns 0 with the
 * response in *ret (payload inside dev->in_buf), -EIO with ret->status
 * set when the device reports an error, or another negative errno.
 * Caller holds io_mutex.
 */
int posreader_exchange(struct posreader_dev *dev, u8 type, size_t plen,
		       unsigned int timeout_ms, struct prw_frame *ret);
/* Read and cache the device's identity (probe time). */
int posreader_read_info(struct posreader_dev *dev);

/* events.c */

/* Parse one event transfer and queue it to every open file (atomic). */
void posreader_event_frame(struct posreader_dev *dev, const u8 *buf,
			   size_t len);
/* Allocate an open file's event queue. */
int posreader_file_init(struct posreader_file *pf);
/* Wipe and free an open file's event queue. */
void posreader_file_destroy(struct posreader_file *pf);
/* Copy out the oldest record of pf into pf->bounce; false if none. */
bool posreader_file_peek(struct posreader_file *pf);
/* Drop the record posreader_file_peek() returned. */
void posreader_file_pop(struct posreader_file *pf);
/* True if a read() would return a record now. */
bool posreader_file_readable(struct posreader_file *pf);

/* chardev.c */
extern const struct file_operations posreader_fops;

/* ioctl.c */

/* Dispatch one ioctl on an open file. */
long posreader_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* sysfs.c */
extern struct class posreader_class;
extern const struct attribute_group *posreader_groups[];

#endif /* POSREADER_DRV_H */
