# SPDX-License-Identifier: MIT
# Helpers shared by the report and compare awk programs (POSIX awk, no gawk
# extensions): CSV fields, number formats, HTML escaping, model order and
# colours, order statistics, and Welch's t-test with its Student tail.

# Splits one CSV line (RFC 4180 quoting, as bench/output.c writes it) into
# f[1..n]; returns n.
function csv_split(line, f,    n, i, c, q, cur, len) {
	sub(/\r$/, "", line)
	if (index(line, "\"") == 0)
		return split(line, f, ",")
	n = 0; cur = ""; q = 0; len = length(line)
	for (i = 1; i <= len; i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") {
				if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ }
				else q = 0
			} else cur = cur c
		} else if (c == "\"") q = 1
		else if (c == ",") { f[++n] = cur; cur = "" }
		else cur = cur c
	}
	f[++n] = cur
	return n
}

# True when s is a finite decimal number (what %.9g prints, or an integer).
function isnum(s) {
	return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

function esc(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	gsub(/"/, "\\&quot;", s)
	return s
}

# Three significant digits with an SI prefix: 2.77 G, 512 k, 0.25.
function fmt_si(v,    a, d, k) {
	if (!isnum(v)) return "-"
	v += 0
	a = v < 0 ? -v : v
	if (a >= 999.5e9) { d = 1e12; k = " T" }
	else if (a >= 999.5e6) { d = 1e9; k = " G" }
	else if (a >= 999.5e3) { d = 1e6; k = " M" }
	else if (a >= 999.5) { d = 1e3; k = " k" }
	else { d = 1; k = "" }
	return sprintf("%.3g", v / d) k
}

# A latency given in microseconds, in the unit that reads best.
function fmt_us(v) {
	if (!isnum(v)) return "-"
	v += 0
	if (v >= 999.5e3) return sprintf("%.3g s", v / 1e6)
	if (v >= 999.5) return sprintf("%.3g ms", v / 1e3)
	return sprintf("%.3g us", v)
}

function fmt_x(r) {
	if (!isnum(r)) return "-"
	r += 0
	if (r >= 99.95) return sprintf("%.0fx", r)
	if (r >= 9.995) return sprintf("%.1fx", r)
	return sprintf("%.2fx", r)
}

# "1.02x (CI 0.98-1.07x)" or just the ratio when the interval is unknown.
function fmt_xci(r, lo, hi) {
	if (!isnum(lo) || !isnum(hi)) return fmt_x(r)
	return fmt_x(r) " (CI " substr(fmt_x(lo), 1, length(fmt_x(lo)) - 1) "-" fmt_x(hi) ")"
}

# Coverage of the median's CI in summary.csv (lib/stats.h, pt_median_ci):
# at least 95% from 6 repetitions on; below that [min, max], which covers
# the median with probability 1 - 2 * 2^-n.
function coverage(n) {
	n += 0
	if (n < 2) return 0
	if (n >= 6) return 0.95
	return 1 - 2 * 2 ^ (-n)
}

# Bytes from a SIZE parameter ("4096", "64K", "256M", "1G", optional B).
function size_bytes(s,    m, u) {
	m = s
	sub(/[bB]$/, "", m)
	u = toupper(substr(m, length(m), 1))
	if (u == "K") return substr(m, 1, length(m) - 1) * 1024
	if (u == "M") return substr(m, 1, length(m) - 1) * 1048576
	if (u == "G") return substr(m, 1, length(m) - 1) * 1073741824
	return m + 0
}

function fmt_bytes(b) {
	if (b >= 1073741824) return sprintf("%gG", b / 1073741824)
	if (b >= 1048576) return sprintf("%gM", b / 1048576)
	if (b >= 1024) return sprintf("%gK", b / 1024)
	return sprintf("%g", b)
}

# Models in the order the report lists them; unknown ones last.
function model_rank(m) {
	if (m == "serial") return 0
	if (m == "threads") return 1
	if (m == "procs") return 2
	if (m == "gil") return 3
	if (m == "gil-old") return 4
	return 9
}

function model_color(m) {
	if (m == "serial") return "#7f7f7f"
	if (m == "threads") return "#1f77b4"
	if (m == "procs") return "#2ca02c"
	if (m == "gil") return "#d62728"
	if (m == "gil-old") return "#ff7f0e"
	return "#9467bd"
}

# Sorts a[1..n] ascending (numbers; n is small: repetitions, series).
function isort(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
}

function median(a, n,    b, i) {
	if (n < 1) return ""
	for (i = 1; i <= n; i++) b[i] = a[i] + 0
	isort(b, n)
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}

function absf(x) { return x < 0 ? -x : x }

# ln Gamma(x), x > 0: Lanczos' approximation with g = 7 and the nine
# coefficients given in the Wikipedia article "Lanczos approximation"
# (accurate to about 15 digits).
function lgam(x,    c, s, t, i) {
	if (x < 0.5)
		return log(3.141592653589793 / sin(3.141592653589793 * x)) - lgam(1 - x)
	x -= 1
	c[0] = 0.99999999999980993; c[1] = 676.5203681218851
	c[2] = -1259.1392167224028; c[3] = 771.32342877765313
	c[4] = -176.61502916214059; c[5] = 12.507343278686905
	c[6] = -0.13857109526572012; c[7] = 9.9843695780195716e-6
	c[8] = 1.5056327351493116e-7
	s = c[0]
	for (i = 1; i < 9; i++) s += c[i] / (x + i)
	t = x + 7.5
	return 0.9189385332046727 + (x + 0.5) * log(t) - t + log(s)
}

# Continued fraction of the incomplete beta function (DLMF 8.17.22) by the
# modified Lentz method, as lib/stats.c evaluates it; -1 if it diverges.
function betacf(a, b, x,    c, d, f, k, m, num, delta) {
	c = 1; d = 0; f = 1
	for (k = 1; k < 100000; k++) {
		m = int(k / 2)
		if (k % 2)
			num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
		else
			num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
		d = 1 + num * d
		if (absf(d) < 1e-300) d = 1e-300
		d = 1 / d
		c = 1 + num / c
		if (absf(c) < 1e-300) c = 1e-300
		delta = c * d
		f *= delta
		if (absf(delta - 1) < 1e-15) return f
	}
	return -1
}

# Regularized incomplete beta I_x(a, b), with y = 1 - x given separately.
function betainc(a, b, x, y,    cf) {
	if (x <= 0) return 0
	if (y <= 0) return 1
	if (x > (a + 1) / (a + b + 2)) {
		cf = betainc(b, a, y, x)
		return cf == "" ? "" : 1 - cf
	}
	cf = betacf(a, b, x)
	if (cf <= 0) return ""
	return exp(a * log(x) + b * log(y) - (lgam(a) + lgam(b) - lgam(a + b))) / a / cf
}

# Two-sided p-value of Welch's t-test on a[1..na] and b[1..nb] (Welch,
# Biometrika 34, 1947; the same edge cases as pt_welch_p in lib/stats.c):
# "" when a sample has fewer than 2 values.
function welch_p(a, na, b, nb,    i, ma, mb, qa, qb, se2, t2, df, p) {
	if (na < 2 || nb < 2) return ""
	ma = mb = qa = qb = 0
	for (i = 1; i <= na; i++) ma += a[i]
	for (i = 1; i <= nb; i++) mb += b[i]
	ma /= na; mb /= nb
	for (i = 1; i <= na; i++) qa += (a[i] - ma) * (a[i] - ma)
	for (i = 1; i <= nb; i++) qb += (b[i] - mb) * (b[i] - mb)
	qa = qa / (na - 1) / na
	qb = qb / (nb - 1) / nb
	se2 = qa + qb
	if (se2 == 0) return ma == mb ? 1 : 0
	t2 = (ma - mb) * (ma - mb) / se2
	df = se2 * se2 / (qa * qa / (na - 1) + qb * qb / (nb - 1))
	p = betainc(df / 2, 0.5, df / (df + t2), t2 / (df + t2))
	if (p == "") return ""
	return p < 0 ? 0 : p > 1 ? 1 : p
}

function sig_mark(p) {
	if (!isnum(p)) return ""
	if (p < 0.001) return "***"
	if (p < 0.01) return "**"
	if (p < 0.05) return "*"
	return ""
}
