/* Every -J document through json-c, from the typed cells and the column
 * kinds: {"NAME": [ {row}, ... ]}, a line with a parent in its parent's
 * "children" array, and the object a command adds beside them
 * (mc_table_extra). The one file of the output layer that includes json-c. */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "output/line.h"
#include "output/utf8.h"

/* A JSON string must be valid UTF-8: names are bytes anyone may choose. */
static struct json_object *string(const char *s)
{
	char *text = mc_json_text(s);
	struct json_object *v = text ? json_object_new_string(text) : NULL;

	free(text);
	return v;
}

/* A SIZES cell's "key=bytes,..." as {"key": bytes, ...}. */
static struct json_object *sizes(const char *text)
{
	struct json_object *o = json_object_new_object();
	char *copy = strdup(text), *save = NULL, *kv;

	for (kv = copy ? strtok_r(copy, ",", &save) : NULL; o && kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		struct json_object *v;

		if (!eq)
			continue;
		*eq = '\0';
		v = json_object_new_int64(strtoll(eq + 1, NULL, 10));
		if (!v || json_object_object_add(o, kv, v) < 0) {
			json_object_put(v);
			json_object_put(o);
			o = NULL;
		}
	}
	if (!copy) {
		json_object_put(o);
		o = NULL;
	}
	free(copy);
	return o;
}

/* NULL is JSON null; *nomem says whether a value could not be made. */
static struct json_object *value(const struct mc_table *t,
				 const struct mc_line *ln, size_t i,
				 bool *nomem)
{
	const struct mc_cell *c = &ln->cells[i];
	struct json_object *v = NULL;

	if (!c->valid)
		return NULL;
	switch (t->info[t->cols[i]].kind) {
	case MC_COL_STR:
		/* an empty text says nothing: null, as the documents have
		 * always had it */
		if (!*c->str)
			return NULL;
		v = string(c->str);
		break;
	case MC_COL_SIZES:
		v = sizes(c->str);
		break;
	case MC_COL_BOOL:
		v = json_object_new_boolean(c->num != 0);
		break;
	case MC_COL_NUM:
	case MC_COL_SIZE:
		v = json_object_new_int64(c->num);
		break;
	}
	if (!v)
		*nomem = true;
	return v;
}

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
}

/* Keys are the column names in lower case, as libsmartcols made them. */
static char **make_keys(const struct mc_table *t)
{
	char **keys = calloc(t->ncols ? t->ncols : 1, sizeof(*keys));

	for (size_t i = 0; keys && i < t->ncols; i++) {
		keys[i] = strdup(t->info[t->cols[i]].name);
		if (!keys[i]) {
			free_keys(keys, i);
			return NULL;
		}
		for (char *p = keys[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	return keys;
}

static struct json_object *row(const struct mc_table *t,
			       const struct mc_line *ln, char **keys)
{
	struct json_object *o = json_object_new_object();
	bool nomem = false;

	for (size_t i = 0; o && i < t->ncols; i++) {
		struct json_object *v = value(t, ln, i, &nomem);

		if (nomem || json_object_object_add(o, keys[i], v) < 0) {
			json_object_put(v);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* The array a line goes into: the document's, or its parent's
 * "children", made when the first child comes. */
static struct json_object *home(struct json_object *top,
				struct json_object *parent)
{
	struct json_object *kids;

	if (!parent)
		return top;
	if (json_object_object_get_ex(parent, "children", &kids))
		return kids;
	kids = json_object_new_array();
	if (kids && json_object_object_add(parent, "children", kids) < 0) {
		json_object_put(kids);
		return NULL;
	}
	return kids;
}

/* Rows in the order they were added: a parent's object exists before its
 * children are added to it. objs[n] is borrowed from the document. */
static int add_rows(const struct mc_table *t, struct json_object *top,
		    struct json_object **objs, char **keys)
{
	for (size_t n = 0; n < t->nlines; n++) {
		const struct mc_line *ln = t->lines[n];
		struct json_object *arr =
			home(top, ln->parent ? objs[ln->parent->index] : NULL);

		objs[n] = row(t, ln, keys);
		if (!arr || !objs[n] ||
		    json_object_array_add(arr, objs[n]) < 0) {
			json_object_put(objs[n]);
			return -ENOMEM;
		}
	}
	return 0;
}

/* The object beside the rows (mc_table_extra), after them. */
static int add_extra(const struct mc_table *t, struct json_object *doc)
{
	const struct mc_extra *x = t->extra;
	struct json_object *o;

	if (!x)
		return 0;
	o = json_object_new_object();
	if (!o || json_object_object_add(doc, x->name, o) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	for (size_t i = 0; i < x->n; i++) {
		const struct mc_cell *c = &x->vals[i].cell;
		struct json_object *v = NULL;

		if (c->valid)
			v = x->vals[i].kind == MC_COL_STR
				    ? string(c->str)
				    : json_object_new_int64(c->num);
		if ((c->valid && !v) ||
		    json_object_object_add(o, x->vals[i].key, v) < 0) {
			json_object_put(v);
			return -ENOMEM;
		}
	}
	return 0;
}

static int write_doc(struct json_object *doc, FILE *out)
{
	/* spaced as the documents have always been; '/' unescaped: paths
	 * stay /a/b */
	const char *s = json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -ENOMEM;
	if (fputs(s, out) == EOF || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}

int mc_print_json(const struct mc_table *t, FILE *out)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *top = json_object_new_array();
	struct json_object **objs = calloc(t->nlines ? t->nlines : 1,
					   sizeof(*objs));
	char **keys = make_keys(t);
	int rc = -ENOMEM;

	if (!doc || !top || !objs || !keys)
		goto out;
	if (json_object_object_add(doc, t->name, top) < 0)
		goto out;
	top = NULL; /* the document owns it now */
	rc = add_rows(t, json_object_object_get(doc, t->name), objs, keys);
	if (!rc)
		rc = add_extra(t, doc);
	if (!rc)
		rc = write_doc(doc, out);
out:
	json_object_put(top);
	json_object_put(doc);
	free(objs);
	free_keys(keys, t->ncols);
	return rc;
}
