// SPDX-License-Identifier: GPL-2.0-only
/*
 * posreader.ko command ioctls: copy in, check every field, run one command
 * under the I/O lock, copy out. Device status is copied out even when the
 * command fails with -EIO, so the caller learns why.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "posreader.h"

static bool posreader_zeroed(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

static int posreader_get_info(struct posreader_dev *dev, void __user *argp)
{
	struct posreader_info info;

	memset(&info, 0, sizeof(info));
	info.api_version = POSREADER_API_VERSION;
	info.proto_version = dev->info.proto_version;
	info.caps = dev->info.caps;
	info.max_payload = dev->info.max_payload;
	info.usb_vendor = le16_to_cpu(dev->udev->descriptor.idVendor);
	info.usb_product = le16_to_cpu(dev->udev->descriptor.idProduct);
	strscpy(info.vendor, dev->info.vendor, sizeof(info.vendor));
	strscpy(info.model, dev->info.model, sizeof(info.model));
	strscpy(info.serial, dev->info.serial, sizeof(info.serial));
	strscpy(info.firmware, dev->info.firmware, sizeof(info.firmware));
	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static int posreader_get_status(struct posreader_dev *dev, void __user *argp)
{
	struct posreader_status st;
	struct prw_status_info si;
	struct prw_frame frame = {};
	int ret;

	memset(&st, 0, sizeof(st));
	ret = posreader_lock_io(dev);
	if (ret)
		return ret;
	ret = posreader_exchange(dev, PRW_CMD_GET_STATUS, 0,
				 PRW_TIMEOUT_DEFAULT_MS, &frame);
	st.dev_status = frame.status;
	if (!ret && prw_status_info_decode(frame.payload, frame.len, &si) < 0)
		ret = -EPROTO;
	if (!ret) {
		st.state = si.state;
		st.tamper = si.tamper;
		WRITE_ONCE(dev->tamper, si.tamper);
	}
	posreader_unlock_io(dev);

	st.bad_frames = atomic_read(&dev->bad_frames);
	st.stale_frames = atomic_read(&dev->stale_frames);
	if ((!ret || ret == -EIO) && copy_to_user(argp, &st, sizeof(st)))
		return -EFAULT;
	return ret;
}

/* A command without request or response payload. */
static int posreader_simple(struct posreader_dev *dev, u8 type,
			    void __user *argp)
{
	struct posreader_simple_cmd sc;
	struct prw_frame frame = {};
	int ret;

	memset(&sc, 0, sizeof(sc));
	ret = posreader_lock_io(dev);
	if (ret)
		return ret;
	ret = posreader_exchange(dev, type, 0, PRW_TIMEOUT_DEFAULT_MS, &frame);
	sc.dev_status = frame.status;
	posreader_unlock_io(dev);

	if ((!ret || ret == -EIO) && copy_to_user(argp, &sc, sizeof(sc)))
		return -EFAULT;
	return ret;
}

static int posreader_power_on(struct posreader_dev *dev, void __user *argp)
{
	struct posreader_icc_power pw;
	struct prw_frame frame = {};
	struct prw_atr atr;
	int ret;

	memset(&pw, 0, sizeof(pw));
	ret = posreader_lock_io(dev);
	if (ret)
		return ret;
	ret = posreader_exchange(dev, PRW_CMD_ICC_POWER_ON, 0,
				 PRW_TIMEOUT_POWER_ON_MS, &frame);
	pw.dev_status = frame.status;
	if (!ret && prw_atr_decode(frame.payload, frame.len, &atr) < 0)
		ret = -EPROTO;
	if (!ret) {
		pw.atr_len = atr.len;
		memcpy(pw.atr, atr.data, atr.len);
	}
	posreader_unlock_io(dev);

	if ((!ret || ret == -EIO) && copy_to_user(argp, &pw, sizeof(pw)))
		return -EFAULT;
	return ret;
}

static int posreader_apdu_run(struct posreader_dev *dev,
			      struct posreader_apdu *ap, const u8 *cmd,
			      u8 __user *rsp)
{
	struct prw_frame frame = {};
	int plen;
	int ret;

	ret = posreader_lock_io(dev);
	if (ret)
		return ret;
	plen = prw_apdu_encode(PRW_PAYLOAD(dev->out_buf), PRW_MAX_PAYLOAD,
			       ap->slot, cmd, ap->cmd_len);
	if (plen < 0 || plen > dev->info.max_payload) {
		ret = -EINVAL;
		goto out;
	}
	ret = posreader_exchange(dev, PRW_CMD_APDU, plen, PRW_TIMEOUT_APDU_MS,
				 &frame);
	ap->dev_status = frame.status;
	if (ret)
		goto out;
	if (prw_rapdu_check(frame.payload, frame.len) < 0) {
		ret = -EPROTO;
		goto out;
	}
	ap->rsp_len = frame.len;
	if (frame.len > ap->rsp_cap)
		ret = -ENOSPC;
	else if (copy_to_user(rsp, frame.payload, frame.len))
		ret = -EFAULT;
out:
	posreader_unlock_io(dev);
	return ret;
}

static int posreader_apdu(struct posreader_dev *dev, void __user *argp)
{
	struct posreader_apdu ap;
	u8 *cmd;
	int ret;

	if (copy_from_user(&ap, argp, sizeof(ap)))
		return -EFAULT;
	if (ap.reserved0 || !posreader_zeroed(ap.reserved, sizeof(ap.reserved)))
		return -EINVAL;
	if (ap.slot != POSREADER_SLOT_ICC && ap.slot != POSREADER_SLOT_NFC)
		return -EINVAL;
	if (ap.cmd_len < PRW_APDU_MIN || ap.cmd_len > PRW_APDU_MAX)
		return -EINVAL;

	cmd = memdup_user(u64_to_user_ptr(ap.cmd_ptr), ap.cmd_len);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);

	ap.rsp_len = 0;
	ap.dev_status = 0;
	ret = posreader_apdu_run(dev, &ap, cmd, u64_to_user_ptr(ap.rsp_ptr));
	/* A VERIFY command carries a PIN block. */
	kfree_sensitive(cmd);

	if ((!ret || ret == -EIO || ret == -ENOSPC) &&
	    copy_to_user(argp, &ap, sizeof(ap)))
		return -EFAULT;
	return ret;
}

static int posreader_nfc_poll(struct posreader_dev *dev, void __user *argp)
{
	struct prw_nfc_target target;
	struct posreader_nfc_poll np;
	struct prw_nfc_poll req;
	struct prw_frame frame = {};
	int plen;
	int ret;

	if (copy_from_user(&np, argp, sizeof(np)))
		return -EFAULT;
	if (!posreader_zeroed(np.reserved, sizeof(np.reserved)) ||
	    !np.timeout_ms || np.timeout_ms > PRW_NFC_POLL_MAX_MS)
		return -EINVAL;
	memset(&np.target, 0, sizeof(np.target));
	np.dev_status = 0;

	ret = posreader_lock_io(dev);
	if (ret)
		return ret;
	req.timeout_ms = np.timeout_ms;
	plen = prw_nfc_poll_encode(PRW_PAYLOAD(dev->out_buf), PRW_MAX_PAYLOAD,
				   &req);
	if (plen < 0) {
		ret = -EINVAL;
		goto out;
	}
	ret = posreader_exchange(dev, PRW_CMD_NFC_POLL, plen,
				 np.timeout_ms + PRW_NFC_POLL_SLACK_MS, &frame);
	np.dev_status = frame.status;
	if (!ret &&
	    prw_nfc_target_decode(frame.payload, frame.len, &target) < 0)
		ret = -EPROTO;
	if (!ret) {
		np.target.protocol = target.protocol;
		np.target.uid_len = target.uid_len;
		memcpy(np.target.uid, target.uid, target.uid_len);
		memcpy(np.target.atqa, target.atqa, sizeof(target.atqa));
		np.target.sak = target.sak;
		np.target.ats_len = target.ats_len;
		memcpy(np.target.ats, target.ats, target.ats_len);
	}
out:
	posreader_unlock_io(dev);
	if ((!ret || ret == -EIO) && copy_to_user(argp, &np, sizeof(np)))
		return -EFAULT;
	return ret;
}

static int posreader_auth(struct posreader_dev *dev, void __user *argp)
{
	struct posreader_auth au;
	struct prw_frame frame = {};
	int plen;
	int ret;

	if (copy_from_user(&au, argp, sizeof(au)))
		return -EFAULT;
	if (au.reserved0 || !posreader_zeroed(au.reserved, sizeof(au.reserved)))
		return -EINVAL;
	memset(au.response, 0, sizeof(au.response));
	au.dev_status = 0;

	ret = posreader_lock_io(dev);
	if (ret)
		return ret;
	plen = prw_auth_encode(PRW_PAYLOAD(dev->out_buf), PRW_MAX_PAYLOAD,
			       au.challenge);
	if (plen < 0) {
		ret = -EINVAL;
		goto out;
	}
	ret = posreader_exchange(dev, PRW_CMD_AUTH, plen, PRW_TIMEOUT_AUTH_MS,
				 &frame);
	au.dev_status = frame.status;
	if (!ret && prw_auth_rsp_check(frame.payload, frame.len) < 0)
		ret = -EPROTO;
	if (!ret)
		memcpy(au.response, frame.payload, sizeof(au.response));
out:
	posreader_unlock_io(dev);
	if ((!ret || ret == -EIO) && copy_to_user(argp, &au, sizeof(au)))
		return -EFAULT;
	return ret;
}

static int posreader_indicators(struct posreader_dev *dev, void __user *argp)
{
	struct posreader_indicators in;
	struct prw_indicators req;
	struct prw_frame frame = {};
	int plen;
	int ret;

	if (copy_from_user(&in, argp, sizeof(in)))
		return -EFAULT;
	if (in.reserved0 || in.leds & ~PRW_LED_ALL ||
	    in.buzzer_ms > PRW_BUZZER_MAX_MS)
		return -EINVAL;
	in.dev_status = 0;

	ret = posreader_lock_io(dev);
	if (ret)
		return ret;
	req.leds = in.leds;
	req.buzzer_ms = in.buzzer_ms;
	plen = prw_indicators_encode(PRW_PAYLOAD(dev->out_buf), PRW_MAX_PAYLOAD,
				     &req);
	if (plen < 0) {
		ret = -EINVAL;
		goto out;
	}
	ret = posreader_exchange(dev, PRW_CMD_SET_INDICATORS, plen,
				 PRW_TIMEOUT_DEFAULT_MS, &frame);
	in.dev_status = frame.status;
out:
	posreader_unlock_io(dev);
	if ((!ret || ret == -EIO) && copy_to_user(argp, &in, sizeof(in)))
		return -EFAULT;
	return ret;
}

long posreader_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct posreader_file *pf = file->private_data;
	struct posreader_dev *dev = pf->dev;
	void __user *argp = (void __user *)arg;

	if (test_bit(POSREADER_GONE, &dev->flags))
		return -ENODEV;

	/* Identity and status are for everyone; the rest for the owner. */
	switch (cmd) {
	case POSREADER_IOC_GET_INFO:
		return posreader_get_info(dev, argp);
	case POSREADER_IOC_GET_STATUS:
		return posreader_get_status(dev, argp);
	case POSREADER_IOC_ICC_POWER_ON:
	case POSREADER_IOC_ICC_POWER_OFF:
	case POSREADER_IOC_APDU:
	case POSREADER_IOC_NFC_POLL:
	case POSREADER_IOC_NFC_RELEASE:
	case POSREADER_IOC_AUTH:
	case POSREADER_IOC_SET_INDICATORS:
		if (!pf->writer)
			return -EBADF;
		break;
	default:
		return -ENOTTY;
	}

	switch (cmd) {
	case POSREADER_IOC_ICC_POWER_ON:
		return posreader_power_on(dev, argp);
	case POSREADER_IOC_ICC_POWER_OFF:
		return posreader_simple(dev, PRW_CMD_ICC_POWER_OFF, argp);
	case POSREADER_IOC_APDU:
		return posreader_apdu(dev, argp);
	case POSREADER_IOC_NFC_POLL:
		return posreader_nfc_poll(dev, argp);
	case POSREADER_IOC_NFC_RELEASE:
		return posreader_simple(dev, PRW_CMD_NFC_RELEASE, argp);
	case POSREADER_IOC_AUTH:
		return posreader_auth(dev, argp);
	default:
		return posreader_indicators(dev, argp);
	}
}
