/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The emulator's control language: one text command per line, one reply
 * line back ("ok ..." or "error: ...").
 *
 *   tag present|absent       put the card into or out of the field
 *   uid HEX                  4, 7 or 10 bytes
 *   atqa HEX                 2 bytes, as nfc-list prints them
 *   sak HEX                  1 byte
 *   ats HEX|none             ATS after its length byte
 *   remove-after N|off       card leaves after N more APDU exchanges
 *   misbehave MODE [CMD [COUNT]]   see pn532-fault.h; "misbehave off"
 *   status                   one line describing the card and faults
 *   quit                     stop the emulator
 */
#ifndef PN532_CONTROL_H
#define PN532_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "pn532-card.h"
#include "pn532-fault.h"

struct pn532_control {
	struct pn532_card *card;
	struct pn532_fault *fault;
	bool quit;	   /* set by "quit" */
	bool card_changed; /* set when the field or card identity changed */
};

/*
 * Run one command line (modified in place; trailing newline optional)
 * and write the reply line, newline included, to reply. Returns 0 when
 * the command was applied, -EINVAL when it was rejected.
 */
int pn532_control_run(struct pn532_control *ctl, char *line, char *reply,
		      size_t cap);

#endif /* PN532_CONTROL_H */
