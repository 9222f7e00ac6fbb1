'use strict';

// Characters that NFKD does not decompose into a base letter plus a
// combining mark, so stripping marks alone would drop them.
const SPECIAL = {
	'ß': 'ss',
	'æ': 'ae',
	'Æ': 'AE',
	'ø': 'o',
	'Ø': 'O',
	'đ': 'd',
	'Đ': 'D',
	'ł': 'l',
	'Ł': 'L',
	'þ': 'th',
	'Þ': 'TH',
	'œ': 'oe',
	'Œ': 'OE'
};

function transliterate(input) {
	let out = '';
	for (const ch of input) {
		out += SPECIAL[ch] !== undefined ? SPECIAL[ch] : ch;
	}
	// NFKD splits "é" into "e" + U+0301; the marks are then removed.
	return out.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

// Symbols that carry meaning and would otherwise collapse into a separator.
const DEFAULT_REPLACEMENTS = [
	['&', ' and '],
	['%', ' percent '],
	['@', ' at ']
];

/**
 * slugify turns a title into a slug: "Héllo, Wörld!" -> "hello-world".
 *
 * @param {string} input
 * @param {{separator?: string, lower?: boolean, replacements?: Array<[string, string]>}} [options]
 * @returns {string}
 */
function slugify(input, options) {
	if (typeof input !== 'string') {
		throw new TypeError('slugify: expected a string, got ' + typeof input);
	}
	const opts = options || {};
	const separator = opts.separator || '-';
	const lower = opts.lower !== false;
	const replacements = opts.replacements || DEFAULT_REPLACEMENTS;
	let s = input;
	for (const [from, to] of replacements) {
		s = s.split(from).join(to);
	}
	s = transliterate(s);
	if (lower) {
		s = s.toLowerCase();
	}
	return s
		.replace(/[^A-Za-z0-9]+/g, separator)
		.replace(new RegExp('^' + separator + '|' + separator + '$', 'g'), '');
}

module.exports = slugify;
module.exports.slugify = slugify;
module.exports.default = slugify;
