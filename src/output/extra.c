/* The object a JSON document carries beside its rows (a command's summary):
 * typed key/values kept until print time, like a line's cells. */
#include <stdlib.h>
#include <string.h>

#include "output/line.h"

void mc_table_extra(struct mc_table *t, const char *name)
{
	if (!t->extra)
		t->extra = calloc(1, sizeof(*t->extra));
	if (!t->extra) {
		t->nomem = true;
		return;
	}
	t->extra->name = name;
}

static struct mc_cell *add(struct mc_table *t, const char *key,
			   enum mc_col_kind kind)
{
	struct mc_extra *x = t->extra;
	struct mc_extra_val *nv;

	if (!x)
		return NULL;
	nv = realloc(x->vals, (x->n + 1) * sizeof(*nv));
	if (!nv) {
		t->nomem = true;
		return NULL;
	}
	x->vals = nv;
	memset(&nv[x->n], 0, sizeof(nv[x->n]));
	nv[x->n].key = key;
	nv[x->n].kind = kind;
	return &nv[x->n++].cell;
}

void mc_extra_num(struct mc_table *t, const char *key, bool valid, int64_t v)
{
	struct mc_cell *c = add(t, key, MC_COL_NUM);

	if (c) {
		c->valid = valid;
		c->num = v;
	}
}

void mc_extra_str(struct mc_table *t, const char *key, const char *s)
{
	struct mc_cell *c = add(t, key, MC_COL_STR);

	if (!c || !s)
		return;
	c->str = strdup(s);
	c->valid = c->str != NULL;
	if (!c->str)
		t->nomem = true;
}

void mc_extra_free(struct mc_table *t)
{
	if (!t->extra)
		return;
	for (size_t i = 0; i < t->extra->n; i++)
		free(t->extra->vals[i].cell.str);
	free(t->extra->vals);
	free(t->extra);
	t->extra = NULL;
}
