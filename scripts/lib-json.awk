# SPDX-License-Identifier: MIT
# Flattens a JSON document (meta.json) into "path<TAB>value" lines, e.g.
# machine.cores	2, run.command_line.0	ptbench, run.parameters.countdown.count	800.
# Strings are unescaped (\uXXXX kept as written); tabs and newlines in a
# value become spaces. Enough JSON for what jansson writes; POSIX awk.

{ doc = doc $0 "\n" }

END {
	len = length(doc)
	pos = 1
	depth = 0
	value("")
}

function skip_ws(    c) {
	while (pos <= len) {
		c = substr(doc, pos, 1)
		if (c != " " && c != "\t" && c != "\n" && c != "\r") break
		pos++
	}
}

function emit(path, v) {
	gsub(/[\t\n\r]/, " ", v)
	print path "\t" v
}

function join(path, key) { return path == "" ? key : path "." key }

# Reads a string starting at the opening quote; returns it unescaped.
function jstring(    s, c, e) {
	s = ""
	pos++
	while (pos <= len) {
		c = substr(doc, pos, 1)
		if (c == "\"") { pos++; return s }
		if (c == "\\") {
			e = substr(doc, pos + 1, 1)
			pos += 2
			if (e == "n") s = s "\n"
			else if (e == "t") s = s "\t"
			else if (e == "r") s = s "\r"
			else if (e == "b" || e == "f") s = s " "
			else if (e == "u") s = s "\\u"
			else s = s e
			continue
		}
		s = s c
		pos++
	}
	return s
}

function value(path,    c, k, i, start) {
	skip_ws()
	c = substr(doc, pos, 1)
	if (c == "{") {
		pos++
		for (;;) {
			skip_ws()
			c = substr(doc, pos, 1)
			if (c == "}" || pos > len) { pos++; return }
			if (c == ",") { pos++; continue }
			k = jstring()
			skip_ws()
			pos++ # the colon
			value(join(path, k))
		}
	}
	if (c == "[") {
		pos++
		i = 0
		for (;;) {
			skip_ws()
			c = substr(doc, pos, 1)
			if (c == "]" || pos > len) { pos++; return }
			if (c == ",") { pos++; continue }
			value(join(path, i))
			i++
		}
	}
	if (c == "\"") {
		emit(path, jstring())
		return
	}
	start = pos
	while (pos <= len && substr(doc, pos, 1) !~ /[],} \t\n\r]/) pos++
	emit(path, substr(doc, start, pos - start))
}
