// SPDX-License-Identifier: GPL-2.0-only
/*
 * posreader.ko sysfs: the class, its read-only attributes and the uevent
 * variables udev rules can match on. Nothing here talks to the device.
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include <linux/version.h>

#include "posreader.h"

/* A read-only attribute showing one GET_INFO string of the reader. */
#define POSREADER_INFO_ATTR(_name, _field)				\
static ssize_t _name##_show(struct device *d,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct posreader_dev *dev = dev_get_drvdata(d);			\
									\
	return sysfs_emit(buf, "%s\n", dev->info._field);		\
}									\
static DEVICE_ATTR_RO(_name)

POSREADER_INFO_ATTR(serial, serial);
POSREADER_INFO_ATTR(firmware_version, firmware);
POSREADER_INFO_ATTR(vendor, vendor);
POSREADER_INFO_ATTR(model, model);

static ssize_t capabilities_show(struct device *d,
				 struct device_attribute *attr, char *buf)
{
	struct posreader_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "0x%02x\n", dev->info.caps);
}
static DEVICE_ATTR_RO(capabilities);

/* Latched tamper causes (POSREADER_TAMPER_* bits); 0x00 when armed. */
static ssize_t tamper_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	struct posreader_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "0x%02x\n", READ_ONCE(dev->tamper));
}
static DEVICE_ATTR_RO(tamper);

static struct attribute *posreader_attrs[] = {
	&dev_attr_serial.attr,
	&dev_attr_firmware_version.attr,
	&dev_attr_vendor.attr,
	&dev_attr_model.attr,
	&dev_attr_capabilities.attr,
	&dev_attr_tamper.attr,
	NULL,
};

static const struct attribute_group posreader_group = {
	.attrs = posreader_attrs,
};

const struct attribute_group *posreader_groups[] = {
	&posreader_group,
	NULL,
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static int posreader_uevent(const struct device *d, struct kobj_uevent_env *env)
#else
static int posreader_uevent(struct device *d, struct kobj_uevent_env *env)
#endif
{
	const struct posreader_dev *dev = dev_get_drvdata(d);
	int ret;

	if (!dev)
		return 0;
	ret = add_uevent_var(env, "POSREADER_SERIAL=%s", dev->info.serial);
	if (ret)
		return ret;
	return add_uevent_var(env, "POSREADER_CAPS=0x%02x", dev->info.caps);
}

struct class posreader_class = {
	.name = POSREADER_NAME,
	.dev_uevent = posreader_uevent,
};
