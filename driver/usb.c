// SPDX-License-Identifier: GPL-2.0-only
/*
 * posreader.ko USB transport: binds the interface, owns the three URBs and
 * moves bytes; it knows nothing about frames beyond their maximum size.
 */
#include <linux/cdev.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "posreader.h"

static const struct usb_device_id posreader_ids[] = {
	{ USB_VENDOR_AND_INTERFACE_INFO(PRW_USB_VENDOR, PRW_USB_CLASS,
					PRW_USB_SUBCLASS, PRW_USB_PROTOCOL) },
	{}
};
MODULE_DEVICE_TABLE(usb, posreader_ids);

static void posreader_bulk_complete(struct urb *urb)
{
	complete(urb->context);
}

/*
 * A transfer failed at the USB level. That nearly always means the reader
 * is going away: give the hub a moment to report it, so the caller gets
 * -ENODEV rather than a vague -EIO.
 */
static int posreader_xfer_error(struct posreader_dev *dev)
{
	wait_event_interruptible_timeout(dev->wait,
					 test_bit(POSREADER_GONE, &dev->flags),
					 msecs_to_jiffies(1000));
	return -EIO;
}

/* The device stalled the endpoint: clear it so the next command works. */
static int posreader_clear_halt(struct posreader_dev *dev, struct urb *urb)
{
	int ret = usb_clear_halt(dev->udev, urb->pipe);

	if (ret)
		dev_dbg(&dev->udev->dev, "clear halt failed: %d\n", ret);
	return -EIO;
}

int posreader_usb_send(struct posreader_dev *dev, size_t len,
		       unsigned long timeout)
{
	long left;
	int ret;

	dev->out_urb->transfer_buffer_length = len;
	reinit_completion(&dev->out_done);
	usb_anchor_urb(dev->out_urb, &dev->anchor);
	ret = usb_submit_urb(dev->out_urb, GFP_KERNEL);
	if (ret) {
		usb_unanchor_urb(dev->out_urb);
		goto out;
	}

	left = wait_for_completion_interruptible_timeout(&dev->out_done,
							 timeout);
	if (left <= 0) {
		usb_kill_urb(dev->out_urb);
		ret = left ? -EINTR : -ETIMEDOUT;
		goto out;
	}
	if (dev->out_urb->status == -EPIPE)
		ret = posreader_clear_halt(dev, dev->out_urb);
	else if (dev->out_urb->status)
		ret = posreader_xfer_error(dev);
	else if (dev->out_urb->actual_length != len)
		ret = -EIO;
out:
	return test_bit(POSREADER_GONE, &dev->flags) ? -ENODEV : ret;
}

int posreader_usb_recv(struct posreader_dev *dev, unsigned long timeout,
		       size_t *ret_len)
{
	long left;
	int ret;

	reinit_completion(&dev->in_done);
	usb_anchor_urb(dev->in_urb, &dev->anchor);
	ret = usb_submit_urb(dev->in_urb, GFP_KERNEL);
	if (ret) {
		usb_unanchor_urb(dev->in_urb);
		goto out;
	}

	left = wait_for_completion_interruptible_timeout(&dev->in_done,
							 timeout);
	if (left <= 0) {
		usb_kill_urb(dev->in_urb);
		ret = left ? -EINTR : -ETIMEDOUT;
		goto out;
	}

	switch (dev->in_urb->status) {
	case 0:
		*ret_len = dev->in_urb->actual_length;
		break;
	case -EOVERFLOW:
		/* The device sent more than any frame can hold. */
		ret = -EMSGSIZE;
		break;
	case -EPIPE:
		ret = posreader_clear_halt(dev, dev->in_urb);
		break;
	default:
		ret = posreader_xfer_error(dev);
		break;
	}
out:
	return test_bit(POSREADER_GONE, &dev->flags) ? -ENODEV : ret;
}

/* Transaction errors in a row before the event endpoint is given up. */
#define POSREADER_INT_RETRIES  10
#define POSREADER_INT_RETRY_MS 100

static void posreader_int_retry(struct work_struct *work)
{
	struct delayed_work *dw = to_delayed_work(work);
	struct posreader_dev *dev;

	dev = container_of(dw, struct posreader_dev, int_retry);

	if (!test_bit(POSREADER_GONE, &dev->flags))
		posreader_usb_start_events(dev, GFP_KERNEL);
}

static void posreader_int_complete(struct urb *urb)
{
	struct posreader_dev *dev = urb->context;
	int ret;

	switch (urb->status) {
	case 0:
		dev->int_errors = 0;
		posreader_event_frame(dev, dev->int_buf, urb->actual_length);
		break;
	case -EOVERFLOW:
		atomic_inc(&dev->bad_frames);
		break;
	case -ENOENT:
	case -ECONNRESET:
	case -ESHUTDOWN:
	case -ENODEV:
		return;
	default:
		/*
		 * A transaction error: the reader is going away (disconnect
		 * follows) or the line is noisy. Retry a little later, a
		 * few times, rather than spin in the completion.
		 */
		if (++dev->int_errors > POSREADER_INT_RETRIES) {
			dev_warn_ratelimited(&dev->udev->dev,
					     "event endpoint stopped: %d\n",
					     urb->status);
			return;
		}
		schedule_delayed_work(&dev->int_retry,
				      msecs_to_jiffies(POSREADER_INT_RETRY_MS));
		return;
	}

	ret = usb_submit_urb(urb, GFP_ATOMIC);
	if (ret && ret != -EPERM && ret != -ENODEV)
		dev_warn_ratelimited(&dev->udev->dev,
				     "event URB resubmit failed: %d\n", ret);
}

int posreader_usb_start_events(struct posreader_dev *dev, gfp_t gfp)
{
	usb_anchor_urb(dev->int_urb, &dev->anchor);
	return usb_submit_urb(dev->int_urb, gfp);
}

/*
 * Bulk packets are a power of two up to 1024; interrupt packets must fit a
 * frame header at least. Anything else is not a posreader.
 */
static bool posreader_ep_sane(const struct usb_endpoint_descriptor *ep,
			      bool bulk)
{
	unsigned int maxp = usb_endpoint_maxp(ep);

	if (bulk)
		return maxp >= 8 && maxp <= 1024 && is_power_of_2(maxp);
	return maxp >= PRW_HDR_LEN && maxp <= 1024 && ep->bInterval;
}

static int posreader_check_interface(struct usb_interface *intf,
				     struct usb_endpoint_descriptor **ret_in,
				     struct usb_endpoint_descriptor **ret_out,
				     struct usb_endpoint_descriptor **ret_int)
{
	struct usb_host_interface *alt = intf->cur_altsetting;
	int ret;

	if (alt->desc.bNumEndpoints != 3) {
		dev_err(&intf->dev, "expected 3 endpoints, found %u\n",
			alt->desc.bNumEndpoints);
		return -ENODEV;
	}
	ret = usb_find_common_endpoints(alt, ret_in, ret_out, ret_int, NULL);
	if (ret) {
		dev_err(&intf->dev,
			"need bulk IN, bulk OUT and interrupt IN endpoints\n");
		return -ENODEV;
	}
	if (!posreader_ep_sane(*ret_in, true) ||
	    !posreader_ep_sane(*ret_out, true) ||
	    !posreader_ep_sane(*ret_int, false)) {
		dev_err(&intf->dev, "endpoint packet sizes out of range\n");
		return -ENODEV;
	}
	return 0;
}

static int posreader_alloc_urbs(struct posreader_dev *dev,
				struct usb_endpoint_descriptor *in,
				struct usb_endpoint_descriptor *out,
				struct usb_endpoint_descriptor *intr)
{
	struct usb_device *udev = dev->udev;

	dev->out_buf = kzalloc(PRW_MAX_FRAME, GFP_KERNEL);
	dev->in_buf = kzalloc(PRW_MAX_FRAME, GFP_KERNEL);
	dev->int_buf = kzalloc(PRW_MAX_FRAME, GFP_KERNEL);
	dev->out_urb = usb_alloc_urb(0, GFP_KERNEL);
	dev->in_urb = usb_alloc_urb(0, GFP_KERNEL);
	dev->int_urb = usb_alloc_urb(0, GFP_KERNEL);
	/* posreader_delete() frees whatever was allocated. */
	if (!dev->out_buf || !dev->in_buf || !dev->int_buf || !dev->out_urb ||
	    !dev->in_urb || !dev->int_urb)
		return -ENOMEM;

	usb_fill_bulk_urb(dev->out_urb, udev,
			  usb_sndbulkpipe(udev, usb_endpoint_num(out)),
			  dev->out_buf, 0, posreader_bulk_complete,
			  &dev->out_done);
	/* A frame that fills whole packets still needs an end marker. */
	dev->out_urb->transfer_flags |= URB_ZERO_PACKET;
	usb_fill_bulk_urb(dev->in_urb, udev,
			  usb_rcvbulkpipe(udev, usb_endpoint_num(in)),
			  dev->in_buf, PRW_MAX_FRAME, posreader_bulk_complete,
			  &dev->in_done);
	usb_fill_int_urb(dev->int_urb, udev,
			 usb_rcvintpipe(udev, usb_endpoint_num(intr)),
			 dev->int_buf, PRW_MAX_FRAME, posreader_int_complete,
			 dev, intr->bInterval);
	return 0;
}

/* Stop all I/O for good: later submissions fail, waiters wake. */
static void posreader_stop_io(struct posreader_dev *dev)
{
	set_bit(POSREADER_GONE, &dev->flags);
	usb_poison_urb(dev->int_urb);
	usb_poison_urb(dev->out_urb);
	usb_poison_urb(dev->in_urb);
	cancel_delayed_work_sync(&dev->int_retry);
	usb_kill_anchored_urbs(&dev->anchor);
	wake_up_interruptible_all(&dev->wait);
}

static int posreader_add_chardev(struct posreader_dev *dev)
{
	struct device *cd;
	dev_t devt;
	int ret;

	ret = posreader_minor_alloc(dev);
	if (ret < 0)
		return ret;
	dev->minor = ret;
	devt = MKDEV(MAJOR(posreader_devt), dev->minor);

	/*
	 * A separately allocated cdev lives until its last opener is gone,
	 * independent of this object.
	 */
	dev->cdev = cdev_alloc();
	if (!dev->cdev) {
		ret = -ENOMEM;
		goto err_minor;
	}
	dev->cdev->owner = THIS_MODULE;
	dev->cdev->ops = &posreader_fops;
	ret = cdev_add(dev->cdev, devt, 1);
	if (ret)
		goto err_cdev;

	cd = device_create_with_groups(&posreader_class, &dev->intf->dev, devt,
				       dev, posreader_groups, "posreader%d",
				       dev->minor);
	if (IS_ERR(cd)) {
		ret = PTR_ERR(cd);
		goto err_cdev_del;
	}
	dev->class_dev = cd;
	return 0;

err_cdev_del:
	cdev_del(dev->cdev);
	goto err_minor;
err_cdev:
	kobject_put(&dev->cdev->kobj);
err_minor:
	posreader_minor_free(dev);
	return ret;
}

static int posreader_probe(struct usb_interface *intf,
			   const struct usb_device_id *id)
{
	struct usb_endpoint_descriptor *in, *out, *intr;
	struct posreader_dev *dev;
	int ret;

	ret = posreader_check_interface(intf, &in, &out, &intr);
	if (ret)
		return ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	kref_init(&dev->kref);
	mutex_init(&dev->io_mutex);
	spin_lock_init(&dev->ev_lock);
	INIT_LIST_HEAD(&dev->files);
	init_waitqueue_head(&dev->wait);
	init_completion(&dev->out_done);
	init_completion(&dev->in_done);
	init_usb_anchor(&dev->anchor);
	INIT_DELAYED_WORK(&dev->int_retry, posreader_int_retry);
	dev->udev = usb_get_dev(interface_to_usbdev(intf));
	dev->intf = intf;

	ret = posreader_alloc_urbs(dev, in, out, intr);
	if (ret)
		goto err_put;
	usb_set_intfdata(intf, dev);

	ret = posreader_usb_start_events(dev, GFP_KERNEL);
	if (ret)
		goto err_intfdata;

	ret = posreader_read_info(dev);
	if (ret) {
		dev_err(&intf->dev, "reader did not identify itself: %d\n",
			ret);
		ret = -ENODEV;
		goto err_stop;
	}

	ret = posreader_add_chardev(dev);
	if (ret)
		goto err_stop;

	dev_info(&intf->dev, "%s %s (firmware %s) is %s%d\n", dev->info.vendor,
		 dev->info.model, dev->info.firmware, POSREADER_NAME,
		 dev->minor);
	return 0;

err_stop:
	posreader_stop_io(dev);
err_intfdata:
	usb_set_intfdata(intf, NULL);
err_put:
	kref_put(&dev->kref, posreader_delete);
	return ret;
}

static void posreader_disconnect(struct usb_interface *intf)
{
	struct posreader_dev *dev = usb_get_intfdata(intf);

	/* The node goes away, then the minor: open files keep dev alive. */
	device_destroy(&posreader_class,
		       MKDEV(MAJOR(posreader_devt), dev->minor));
	cdev_del(dev->cdev);
	posreader_minor_free(dev);

	/* Wakes a command or read in flight; they return -ENODEV. */
	posreader_stop_io(dev);

	mutex_lock(&dev->io_mutex);
	dev->intf = NULL;
	mutex_unlock(&dev->io_mutex);
	usb_set_intfdata(intf, NULL);

	dev_info(&intf->dev, "%s%d unplugged\n", POSREADER_NAME, dev->minor);
	kref_put(&dev->kref, posreader_delete);
}

static int posreader_suspend(struct usb_interface *intf, pm_message_t message)
{
	struct posreader_dev *dev = usb_get_intfdata(intf);

	/* Never cut a command short: a card may be half-way through it. */
	if (!mutex_trylock(&dev->io_mutex))
		return -EBUSY;
	cancel_delayed_work_sync(&dev->int_retry);
	usb_kill_urb(dev->int_urb);
	mutex_unlock(&dev->io_mutex);
	return 0;
}

static int posreader_resume(struct usb_interface *intf)
{
	struct posreader_dev *dev = usb_get_intfdata(intf);

	return posreader_usb_start_events(dev, GFP_NOIO);
}

static int posreader_pre_reset(struct usb_interface *intf)
{
	struct posreader_dev *dev = usb_get_intfdata(intf);

	mutex_lock(&dev->io_mutex);
	cancel_delayed_work_sync(&dev->int_retry);
	usb_kill_urb(dev->int_urb);
	return 0;
}

static int posreader_post_reset(struct usb_interface *intf)
{
	struct posreader_dev *dev = usb_get_intfdata(intf);
	int ret;

	ret = posreader_usb_start_events(dev, GFP_NOIO);
	mutex_unlock(&dev->io_mutex);
	return ret;
}

struct usb_driver posreader_usb_driver = {
	.name = POSREADER_NAME,
	.probe = posreader_probe,
	.disconnect = posreader_disconnect,
	.suspend = posreader_suspend,
	.resume = posreader_resume,
	.reset_resume = posreader_resume,
	.pre_reset = posreader_pre_reset,
	.post_reset = posreader_post_reset,
	.id_table = posreader_ids,
	.supports_autosuspend = 1,
};
