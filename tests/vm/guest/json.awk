# json.awk — flatten one JSON document into lines the vm scenarios can grep
# (the guest has busybox only, no jq):
#
#     PATH <TAB> TYPE <TAB> VALUE
#
# PATH joins object keys and array indexes with dots (processes.0.pid),
# TYPE is number, string, null, true, false, object or array; VALUE is the
# number as written, the string's text (\n and \t become spaces so a value
# stays on one line, \u and \b \f \r are kept as written), or for an array
# or object its member count.
# Anything that is not exactly one valid document exits with status 1, so
# a scenario reading memcg's -J output also checks that it is JSON.

BEGIN { RS = "\001"; doc = "" }
{ doc = doc $0 "\n" }
END {
	pos = 1
	n = length(doc)
	skipws()
	if (pos > n)
		fail("empty input")
	value("")
	skipws()
	if (pos <= n)
		fail("data after the document")
}

function fail(msg) {
	printf "json.awk: %s at offset %d\n", msg, pos > "/dev/stderr"
	exit 1
}

function emit(path, type, val) {
	printf "%s\t%s\t%s\n", path, type, val
}

function skipws(   c) {
	while (pos <= n) {
		c = substr(doc, pos, 1)
		if (c != " " && c != "\t" && c != "\n" && c != "\r")
			break
		pos++
	}
}

function join(path, key) {
	return path == "" ? key : path "." key
}

function value(path,   c, t) {
	skipws()
	c = substr(doc, pos, 1)
	if (c == "{")
		object(path)
	else if (c == "[")
		array(path)
	else if (c == "\"")
		emit(path, "string", string())
	else if (match(substr(doc, pos, 64), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
		emit(path, "number", substr(doc, pos, RLENGTH))
		pos += RLENGTH
	} else {
		for (t = 0; t < 3; t++) {
			c = t == 0 ? "null" : t == 1 ? "true" : "false"
			if (substr(doc, pos, length(c)) == c) {
				emit(path, c, c)
				pos += length(c)
				return
			}
		}
		fail("unexpected '" substr(doc, pos, 1) "'")
	}
}

function object(path,   count, key, c) {
	pos++
	count = 0
	skipws()
	if (substr(doc, pos, 1) == "}") {
		pos++
		emit(path, "object", 0)
		return
	}
	for (;;) {
		skipws()
		if (substr(doc, pos, 1) != "\"")
			fail("expected a key")
		key = string()
		skipws()
		if (substr(doc, pos, 1) != ":")
			fail("expected ':'")
		pos++
		value(join(path, key))
		count++
		skipws()
		c = substr(doc, pos, 1)
		pos++
		if (c == "}")
			break
		if (c != ",")
			fail("expected ',' or '}'")
	}
	emit(path, "object", count)
}

function array(path,   count, c) {
	pos++
	count = 0
	skipws()
	if (substr(doc, pos, 1) == "]") {
		pos++
		emit(path, "array", 0)
		return
	}
	for (;;) {
		value(join(path, count))
		count++
		skipws()
		c = substr(doc, pos, 1)
		pos++
		if (c == "]")
			break
		if (c != ",")
			fail("expected ',' or ']'")
	}
	emit(path, "array", count)
}

# Parse the string at pos (on its opening quote) and return its text.
function string(   out, c, e) {
	pos++
	out = ""
	for (;;) {
		if (pos > n)
			fail("unterminated string")
		c = substr(doc, pos, 1)
		if (c == "\"") {
			pos++
			return out
		}
		if (c == "\n" || c == "\t")
			fail("control character in a string")
		if (c == "\\") {
			e = substr(doc, pos + 1, 1)
			if (e == "\"" || e == "\\" || e == "/")
				out = out e
			else if (e == "n" || e == "t")
				out = out " "
			else if (e == "b" || e == "f" || e == "r")
				out = out "\\" e
			else if (e == "u" && substr(doc, pos + 2, 4) ~ /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) {
				out = out "\\u" substr(doc, pos + 2, 4)
				pos += 4
			} else
				fail("bad escape")
			pos += 2
			continue
		}
		out = out c
		pos++
	}
}
