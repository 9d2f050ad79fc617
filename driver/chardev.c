// SPDX-License-Identifier: GPL-2.0-only
/*
 * posreader.ko character device. Open semantics: any number of files may
 * be open for reading events; at most one file open for writing, which
 * owns the command ioctls (a second gets -EBUSY). Every open file gets
 * every event. After unplug every operation returns -ENODEV.
 */
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "posreader.h"

static int posreader_open(struct inode *inode, struct file *file)
{
	struct posreader_file *pf;
	struct posreader_dev *dev;
	int ret;

	dev = posreader_get_by_minor(iminor(inode));
	if (!dev)
		return -ENODEV;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf) {
		ret = -ENOMEM;
		goto err_put;
	}
	pf->dev = dev;
	ret = posreader_file_init(pf);
	if (ret)
		goto err_free;

	if (file->f_mode & FMODE_WRITE) {
		if (test_and_set_bit(POSREADER_OWNED, &dev->flags)) {
			ret = -EBUSY;
			goto err_destroy;
		}
		pf->writer = true;
	}

	mutex_lock(&dev->io_mutex);
	ret = dev->intf ? usb_autopm_get_interface(dev->intf) : -ENODEV;
	mutex_unlock(&dev->io_mutex);
	if (ret)
		goto err_owner;

	spin_lock_irq(&dev->ev_lock);
	list_add_tail(&pf->node, &dev->files);
	spin_unlock_irq(&dev->ev_lock);

	file->private_data = pf;
	return stream_open(inode, file);

err_owner:
	if (pf->writer)
		clear_bit(POSREADER_OWNED, &dev->flags);
err_destroy:
	posreader_file_destroy(pf);
err_free:
	kfree(pf);
err_put:
	kref_put(&dev->kref, posreader_delete);
	return ret;
}

static int posreader_release(struct inode *inode, struct file *file)
{
	struct posreader_file *pf = file->private_data;
	struct posreader_dev *dev = pf->dev;

	spin_lock_irq(&dev->ev_lock);
	list_del(&pf->node);
	spin_unlock_irq(&dev->ev_lock);

	mutex_lock(&dev->io_mutex);
	if (dev->intf)
		usb_autopm_put_interface(dev->intf);
	mutex_unlock(&dev->io_mutex);

	if (pf->writer)
		clear_bit(POSREADER_OWNED, &dev->flags);
	posreader_file_destroy(pf);
	kfree(pf);
	kref_put(&dev->kref, posreader_delete);
	return 0;
}

static bool posreader_gone(struct posreader_dev *dev)
{
	return test_bit(POSREADER_GONE, &dev->flags);
}

/* Wait until pf has a record; caller holds pf->read_lock. */
static int posreader_wait_record(struct file *file, struct posreader_file *pf)
{
	struct posreader_dev *dev = pf->dev;

	for (;;) {
		if (posreader_gone(dev))
			return -ENODEV;
		if (posreader_file_peek(pf))
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(dev->wait,
					     posreader_file_readable(pf) ||
						     posreader_gone(dev)))
			return -ERESTARTSYS;
	}
}

static ssize_t posreader_read(struct file *file, char __user *buf, size_t count,
			      loff_t *ppos)
{
	struct posreader_file *pf = file->private_data;
	const size_t rec = sizeof(struct posreader_event);
	ssize_t done = 0;
	int ret;

	if (posreader_gone(pf->dev))
		return -ENODEV;
	if (count < rec)
		return -EINVAL;

	if (mutex_lock_interruptible(&pf->read_lock))
		return -ERESTARTSYS;

	ret = posreader_wait_record(file, pf);
	while (!ret) {
		if (copy_to_user(buf + done, pf->bounce, rec)) {
			memzero_explicit(pf->bounce, rec);
			ret = -EFAULT;
			break;
		}
		posreader_file_pop(pf);
		done += rec;
		if (count - done < rec || posreader_gone(pf->dev) ||
		    !posreader_file_peek(pf))
			break;
	}
	mutex_unlock(&pf->read_lock);
	return done ? done : ret;
}

static __poll_t posreader_poll(struct file *file, poll_table *wait)
{
	struct posreader_file *pf = file->private_data;
	struct posreader_dev *dev = pf->dev;
	__poll_t mask = 0;

	poll_wait(file, &dev->wait, wait);
	if (posreader_gone(dev))
		return EPOLLERR | EPOLLHUP;
	if (posreader_file_readable(pf))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (pf->writer)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

const struct file_operations posreader_fops = {
	.owner = THIS_MODULE,
	.open = posreader_open,
	.release = posreader_release,
	.read = posreader_read,
	.poll = posreader_poll,
	.unlocked_ioctl = posreader_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
