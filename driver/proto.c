// SPDX-License-Identifier: GPL-2.0-only
/*
 * posreader.ko wire protocol: one command in flight at a time, responses
 * validated and matched to it by type and sequence number. Everything the
 * device sends is untrusted; nothing it sends is ever logged.
 */
#include <linux/jiffies.h>
#include <linux/string.h>

#include "posreader.h"

int posreader_lock_io(struct posreader_dev *dev)
{
	if (mutex_lock_interruptible(&dev->io_mutex))
		return -EINTR;
	if (!dev->intf || test_bit(POSREADER_GONE, &dev->flags)) {
		mutex_unlock(&dev->io_mutex);
		return -ENODEV;
	}
	return 0;
}

void posreader_unlock_io(struct posreader_dev *dev)
{
	memzero_explicit(dev->out_buf, PRW_MAX_FRAME);
	memzero_explicit(dev->in_buf, PRW_MAX_FRAME);
	mutex_unlock(&dev->io_mutex);
}

/* What the device sent was no answer to anything: count it, go on. */
static void posreader_drop(struct posreader_dev *dev, atomic_t *counter,
			   const char *why)
{
	atomic_inc(counter);
	dev_dbg_ratelimited(&dev->intf->dev, "dropped response: %s\n", why);
}

int posreader_exchange(struct posreader_dev *dev, u8 type, size_t plen,
		       unsigned int timeout_ms, struct prw_frame *ret)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct prw_frame frame = {};
	size_t n;
	int len;
	int err;
	u8 seq;

	lockdep_assert_held(&dev->io_mutex);

	seq = ++dev->seq;
	len = prw_frame_seal(dev->out_buf, PRW_MAX_FRAME, type, seq, 0, 0,
			     plen);
	if (len < 0)
		return -EINVAL;

	err = posreader_usb_send(dev, len, msecs_to_jiffies(timeout_ms));
	if (err)
		return err;

	for (;;) {
		if (time_after_eq(jiffies, deadline))
			return -ETIMEDOUT;
		err = posreader_usb_recv(dev, deadline - jiffies, &n);
		if (err == -EMSGSIZE) {
			posreader_drop(dev, &dev->bad_frames, "oversized");
			continue;
		}
		if (err)
			return err;

		err = prw_frame_decode(dev->in_buf, n, &frame);
		if (err < 0) {
			posreader_drop(dev, &dev->bad_frames,
				       prw_strerror(-err));
			continue;
		}
		if (frame.type != prw_response_type(type) || frame.seq != seq) {
			posreader_drop(dev, &dev->stale_frames,
				       "not the awaited response");
			continue;
		}
		*ret = frame;
		return frame.status == PRW_ST_OK ? 0 : -EIO;
	}
}

int posreader_read_info(struct posreader_dev *dev)
{
	struct prw_status_info st;
	struct prw_frame frame = {};
	int ret;

	ret = posreader_lock_io(dev);
	if (ret)
		return ret;

	ret = posreader_exchange(dev, PRW_CMD_GET_INFO, 0,
				 PRW_TIMEOUT_DEFAULT_MS, &frame);
	if (ret)
		goto out;
	if (prw_info_decode(frame.payload, frame.len, &dev->info) < 0) {
		ret = -EPROTO;
		goto out;
	}
	if (dev->info.proto_version != PRW_PROTO_VERSION) {
		dev_err(&dev->intf->dev, "protocol version %u not supported\n",
			dev->info.proto_version);
		ret = -EPROTONOSUPPORT;
		goto out;
	}

	/*
	 * A reader may come up already tampered; it is not fatal if it
	 * cannot say, events will tell later.
	 */
	if (!posreader_exchange(dev, PRW_CMD_GET_STATUS, 0,
				PRW_TIMEOUT_DEFAULT_MS, &frame) &&
	    !prw_status_info_decode(frame.payload, frame.len, &st))
		WRITE_ONCE(dev->tamper, st.tamper);
out:
	posreader_unlock_io(dev);
	return ret;
}
