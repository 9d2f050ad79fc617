/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text helpers shared by posreaderd and posreaderctl. */
#ifndef POSREADER_TEXT_H
#define POSREADER_TEXT_H

/*
 * Cut leading blanks (space, tab) and trailing blanks and line ends (space,
 * tab, CR, LF) from s in place; returns the first kept character of s.
 */
char *text_strip(char *s);

#endif /* POSREADER_TEXT_H */
