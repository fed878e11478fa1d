// SPDX-License-Identifier: MIT
/* The scorer's rule ids, from the registry policy/rules.def. */
#include <string.h>

#include "policy/internal.h"

const struct rule_def sp_rule_defs[] = {
#define SP_RULE(c_name, id, desc) { id, desc },
#include "policy/rules.def"
#undef SP_RULE
};

const size_t sp_nrules = ARRAY_SIZE(sp_rule_defs);

int rule_index(const char *id)
{
	for (size_t i = 0; i < sp_nrules; i++)
		if (strcmp(sp_rule_defs[i].id, id) == 0)
			return (int)i;
	return -1;
}
