// SPDX-License-Identifier: GPL-2.0-only
/*
 * posreader.ko events: interrupt IN frames become struct posreader_event
 * records, queued to every open file. This runs in the URB completion, so
 * it never sleeps and never allocates: each file has a fixed ring, and
 * what does not fit is counted and reported as an overflow record.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "posreader.h"

static struct posreader_event *ring_tail(struct posreader_file *pf)
{
	return &pf->ring[(pf->head + pf->count) % POSREADER_QUEUE_LEN];
}

/* Queue an overflow record if records were lost and one fits. */
static void ring_put_overflow(struct posreader_file *pf)
{
	struct posreader_event *slot;

	if (!pf->lost || pf->count == POSREADER_QUEUE_LEN)
		return;
	slot = ring_tail(pf);
	memset(slot, 0, sizeof(*slot));
	slot->type = POSREADER_EVT_OVERFLOW;
	slot->timestamp_ns = ktime_get_ns();
	slot->seq = pf->seq++;
	slot->u.overflow.lost = pf->lost;
	pf->lost = 0;
	pf->count++;
}

static void ring_put(struct posreader_file *pf,
		     const struct posreader_event *ev)
{
	struct posreader_event *slot;

	ring_put_overflow(pf);
	if (pf->count == POSREADER_QUEUE_LEN) {
		if (pf->lost < U32_MAX)
			pf->lost++;
		return;
	}
	slot = ring_tail(pf);
	*slot = *ev;
	slot->seq = pf->seq++;
	pf->count++;
}

static void posreader_broadcast(struct posreader_dev *dev,
				const struct posreader_event *ev)
{
	struct posreader_file *pf;
	unsigned long flags;

	spin_lock_irqsave(&dev->ev_lock, flags);
	list_for_each_entry(pf, &dev->files, node)
		ring_put(pf, ev);
	spin_unlock_irqrestore(&dev->ev_lock, flags);
	wake_up_interruptible(&dev->wait);
}

static void posreader_copy_target(struct posreader_nfc_target *dst,
				  const struct prw_nfc_target *src)
{
	dst->protocol = src->protocol;
	dst->uid_len = src->uid_len;
	memcpy(dst->uid, src->uid, src->uid_len);
	memcpy(dst->atqa, src->atqa, sizeof(dst->atqa));
	dst->sak = src->sak;
	dst->ats_len = src->ats_len;
	memcpy(dst->ats, src->ats, src->ats_len);
}

static int posreader_parse_swipe(struct posreader_dev *dev,
				 const struct prw_frame *f,
				 struct posreader_event *ev)
{
	struct prw_swipe *sw = &dev->swipe_scratch;
	int i;

	if (prw_swipe_decode(f->payload, f->len, sw) < 0)
		return -EPROTO;
	for (i = 0; i < PRW_TRACKS; i++) {
		struct posreader_track *t = &ev->u.swipe.track[i];

		t->status = sw->track[i].status;
		t->encoding = sw->track[i].encoding;
		t->len = sw->track[i].len;
		memcpy(t->data, sw->track[i].data, t->len);
	}
	memzero_explicit(sw, sizeof(*sw));
	return 0;
}

static int posreader_parse_event(struct posreader_dev *dev,
				 const struct prw_frame *f,
				 struct posreader_event *ev)
{
	struct prw_nfc_target target;
	struct prw_dev_error err;
	struct prw_tamper tamper;

	switch (f->type) {
	case PRW_EVT_SWIPE:
		ev->type = POSREADER_EVT_SWIPE;
		return posreader_parse_swipe(dev, f, ev);
	case PRW_EVT_ICC_INSERTED:
		ev->type = POSREADER_EVT_ICC_INSERTED;
		return 0;
	case PRW_EVT_ICC_REMOVED:
		ev->type = POSREADER_EVT_ICC_REMOVED;
		return 0;
	case PRW_EVT_NFC_PRESENT:
		if (prw_nfc_target_decode(f->payload, f->len, &target) < 0)
			return -EPROTO;
		ev->type = POSREADER_EVT_NFC_PRESENT;
		posreader_copy_target(&ev->u.nfc, &target);
		return 0;
	case PRW_EVT_NFC_GONE:
		ev->type = POSREADER_EVT_NFC_GONE;
		return 0;
	case PRW_EVT_TAMPER:
		if (prw_tamper_decode(f->payload, f->len, &tamper) < 0)
			return -EPROTO;
		ev->type = POSREADER_EVT_TAMPER;
		ev->u.tamper.cause = tamper.cause;
		WRITE_ONCE(dev->tamper, READ_ONCE(dev->tamper) | tamper.cause);
		return 0;
	case PRW_EVT_ERROR:
		if (prw_dev_error_decode(f->payload, f->len, &err) < 0)
			return -EPROTO;
		ev->type = POSREADER_EVT_ERROR;
		ev->u.error.code = err.code;
		ev->u.error.detail = err.detail;
		return 0;
	default:
		return -EPROTO;
	}
}

void posreader_event_frame(struct posreader_dev *dev, const u8 *buf, size_t len)
{
	struct posreader_event *ev = &dev->ev_scratch;
	struct prw_frame frame;

	if (prw_frame_decode(buf, len, &frame) < 0 ||
	    !prw_type_is_event(frame.type)) {
		atomic_inc(&dev->bad_frames);
		return;
	}

	memset(ev, 0, sizeof(*ev));
	ev->timestamp_ns = ktime_get_ns();
	if (frame.flags & PRW_FLAG_EVT_LOST)
		ev->flags |= POSREADER_EVF_DEVICE_LOST;

	if (posreader_parse_event(dev, &frame, ev))
		atomic_inc(&dev->bad_frames);
	else
		posreader_broadcast(dev, ev);
	memzero_explicit(ev, sizeof(*ev));
}

int posreader_file_init(struct posreader_file *pf)
{
	pf->ring = kvcalloc(POSREADER_QUEUE_LEN, sizeof(*pf->ring), GFP_KERNEL);
	pf->bounce = kzalloc(sizeof(*pf->bounce), GFP_KERNEL);
	if (!pf->ring || !pf->bounce) {
		kvfree(pf->ring);
		kfree(pf->bounce);
		return -ENOMEM;
	}
	mutex_init(&pf->read_lock);
	return 0;
}

void posreader_file_destroy(struct posreader_file *pf)
{
	kvfree_sensitive(pf->ring, POSREADER_QUEUE_LEN * sizeof(*pf->ring));
	kfree_sensitive(pf->bounce);
}

bool posreader_file_peek(struct posreader_file *pf)
{
	struct posreader_dev *dev = pf->dev;
	bool found = false;

	spin_lock_irq(&dev->ev_lock);
	/* Nothing new arrived to carry the loss report: report it now. */
	if (!pf->count)
		ring_put_overflow(pf);
	if (pf->count) {
		*pf->bounce = pf->ring[pf->head];
		found = true;
	}
	spin_unlock_irq(&dev->ev_lock);
	return found;
}

void posreader_file_pop(struct posreader_file *pf)
{
	struct posreader_dev *dev = pf->dev;

	memzero_explicit(pf->bounce, sizeof(*pf->bounce));
	spin_lock_irq(&dev->ev_lock);
	memzero_explicit(&pf->ring[pf->head], sizeof(*pf->ring));
	pf->head = (pf->head + 1) % POSREADER_QUEUE_LEN;
	pf->count--;
	spin_unlock_irq(&dev->ev_lock);
}

bool posreader_file_readable(struct posreader_file *pf)
{
	struct posreader_dev *dev = pf->dev;
	unsigned long flags;
	bool readable;

	spin_lock_irqsave(&dev->ev_lock, flags);
	readable = pf->count || pf->lost;
	spin_unlock_irqrestore(&dev->ev_lock, flags);
	return readable;
}
