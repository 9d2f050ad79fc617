// SPDX-License-Identifier: GPL-2.0-or-later
/* Trimming of "key = value" lines (text.h). */
#include <string.h>

#include "text.h"

char *text_strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}
