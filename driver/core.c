// SPDX-License-Identifier: GPL-2.0-only
/*
 * posreader.ko: module entry points, device object lifetime, minor numbers.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "posreader.h"

dev_t posreader_devt;

/* Maps minors to devices; the lock also orders open() against unplug. */
static DEFINE_IDR(posreader_minors);
static DEFINE_MUTEX(posreader_minor_lock);

void posreader_delete(struct kref *kref)
{
	struct posreader_dev *dev =
		container_of(kref, struct posreader_dev, kref);

	usb_free_urb(dev->int_urb);
	usb_free_urb(dev->in_urb);
	usb_free_urb(dev->out_urb);
	kfree(dev->int_buf);
	kfree(dev->in_buf);
	kfree(dev->out_buf);
	usb_put_dev(dev->udev);
	kfree(dev);
}

int posreader_minor_alloc(struct posreader_dev *dev)
{
	int minor;

	mutex_lock(&posreader_minor_lock);
	minor = idr_alloc(&posreader_minors, dev, 0, POSREADER_MAX_DEVICES,
			  GFP_KERNEL);
	mutex_unlock(&posreader_minor_lock);
	return minor == -ENOSPC ? -EMFILE : minor;
}

void posreader_minor_free(struct posreader_dev *dev)
{
	mutex_lock(&posreader_minor_lock);
	idr_remove(&posreader_minors, dev->minor);
	mutex_unlock(&posreader_minor_lock);
}

struct posreader_dev *posreader_get_by_minor(int minor)
{
	struct posreader_dev *dev;

	mutex_lock(&posreader_minor_lock);
	dev = idr_find(&posreader_minors, minor);
	if (dev)
		kref_get(&dev->kref);
	mutex_unlock(&posreader_minor_lock);
	return dev;
}

static int __init posreader_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&posreader_devt, 0, POSREADER_MAX_DEVICES,
				  POSREADER_NAME);
	if (ret)
		return ret;

	ret = class_register(&posreader_class);
	if (ret)
		goto err_region;

	ret = usb_register(&posreader_usb_driver);
	if (ret)
		goto err_class;

	return 0;

err_class:
	class_unregister(&posreader_class);
err_region:
	unregister_chrdev_region(posreader_devt, POSREADER_MAX_DEVICES);
	return ret;
}

static void __exit posreader_exit(void)
{
	usb_deregister(&posreader_usb_driver);
	class_unregister(&posreader_class);
	unregister_chrdev_region(posreader_devt, POSREADER_MAX_DEVICES);
	idr_destroy(&posreader_minors);
}

module_init(posreader_init);
module_exit(posreader_exit);

MODULE_DESCRIPTION("posreader card reader (magstripe, contact, contactless)");
MODULE_LICENSE("GPL");
