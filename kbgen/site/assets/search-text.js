/*
 * kbgen's search worker, part 1 of 3: text. HTML text nodes and entities, and words.
 * kbgen/site/worker.py joins search-text.js, search-index.js and search-worker.js (in that
 * order) into the worker file of the built site; search-worker.js says what the worker does.
 *
 * The stop-word list is lunr.js's English list (MIT licence, Copyright (C) 2020 Oliver
 * Nightingale), so queries drop the words Material's lunr search drops.
 */
"use strict";

var STOP_WORDS = new Set((
  "a able about across after all almost also am among an and any are as at be because been " +
  "but by can cannot could dear did do does either else ever every for from get got had has " +
  "have he her hers him his how however i if in into is it its just least let like likely may " +
  "me might most must my neither no nor not of off often on only or other our own rather said " +
  "say says she should since so some than that the their them then there these they this tis " +
  "to too twas us wants was we were what when where which while who whom why will with would " +
  "yet you your"
).split(" "));

var OPAQUE = "\ufffc";      // an entity we do not decode: one character that is never a word
// No prototype: an entity named "&constructor;" must not find Object's.
var NAMED = Object.assign(Object.create(null), {
  amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0"
});
var WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
// Raw-text elements: their content is not markup, so a <mark> there would show as text (or
// break a script).
var RAW_TEXT =
  /^<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)[\s/>]/i;

/* -- HTML: text nodes and entities ------------------------------------------------------------ */

function isAlpha(c) { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122); }

// Index after the tag or comment that starts at lt. Quotes count only after "=", as in the HTML
// tokenizer, so a ">" inside an attribute value never ends the tag early.
function tagEnd(html, lt) {
  if (html.startsWith("<!--", lt)) {
    var close = html.indexOf("-->", lt + 4);
    return close < 0 ? html.length : close + 3;
  }
  var quote = 0, prev = 0;
  for (var i = lt + 1; i < html.length; i++) {
    var c = html.charCodeAt(i);
    if (quote) {
      if (c === quote) { quote = 0; prev = c; }
    } else if ((c === 34 || c === 39) && prev === 61) {
      quote = c;
    } else if (c === 62) {
      return i + 1;
    } else if (c !== 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) {
      prev = c;
    }
  }
  return html.length;
}

// Calls fn(start, end) for every run of text between tags. A "<" not followed by a letter, "/",
// "!" or "?" is text, as the HTML parser reads it.
function eachText(html, fn) {
  var start = 0, i = 0, n = html.length;
  for (;;) {
    var lt = html.indexOf("<", i);
    if (lt < 0) break;
    var c = html.charCodeAt(lt + 1);
    if (!(isAlpha(c) || c === 47 || c === 33 || c === 63)) { i = lt + 1; continue; }
    if (lt > start) fn(start, lt);
    var end = tagEnd(html, lt);
    // Every raw-text element's name has three letters or more: "<p>" and "<a " skip the regex.
    var raw = isAlpha(html.charCodeAt(lt + 2)) &&
      RAW_TEXT.exec(html.slice(lt, Math.min(end, lt + 12)));
    if (raw) {
      var close = html.toLowerCase().indexOf("</" + raw[1].toLowerCase(), end);
      end = close < 0 ? n : tagEnd(html, close);
    }
    start = i = end;
  }
  if (start < n) fn(start, n);
}

// html[s:e] with entities decoded. With map, map[k] is the raw offset where decoded unit k
// comes from and map[length] is e, so a decoded range maps to whole entities only.
function decode(html, s, e, map) {
  var amp = html.indexOf("&", s);
  if (amp < 0 || amp >= e) {
    if (map) for (var k = s; k <= e; k++) map.push(k);
    return html.slice(s, e);
  }
  var out = "", i = s;
  while (i < e) {
    var c = html.charCodeAt(i), len = 1, text = html[i];
    if (c === 38) {
      var m = /^&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}));?/.exec(
        html.slice(i, Math.min(e, i + 40)));
      if (m) {
        len = m[0].length;
        if (m[3] !== undefined) {
          text = NAMED[m[3]] !== undefined && m[0].endsWith(";") ? NAMED[m[3]] : OPAQUE;
        } else {
          var cp = m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2], 16);
          text = cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)
            ? String.fromCodePoint(cp) : "\ufffd";
        }
      }
    }
    if (map) for (var u = 0; u < text.length; u++) map.push(i);
    out += text;
    i += len;
  }
  if (map) map.push(e);
  return out;
}

/* -- words ------------------------------------------------------------------------------ */

// Word characters (letters, digits, marks, "_") by UTF-16 unit: 1 word, 2 not, 0 not looked up yet.
var WORD_UNIT = (function () {
  var table = new Uint8Array(65536);
  for (var c = 0; c < 128; c++) table[c] = (c >= 48 && c <= 57) || isAlpha(c) || c === 95 ? 1 : 2;
  return table;
})();

function isWordAt(text, k) {
  var c = text.charCodeAt(k);
  if (c >= 0xd800 && c <= 0xdfff) return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(k)));
  var known = WORD_UNIT[c];
  if (known === 0) WORD_UNIT[c] = known = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
  return known === 1;
}

// lunr's trimmer, Unicode-aware: the first word character of text[a:b], and the end of the last.
function trimStart(text, a, b) {
  while (a < b && !isWordAt(text, a)) a += text.codePointAt(a) > 0xffff ? 2 : 1;
  return a;
}

function trimEnd(text, a, b) {
  while (b > a) {
    var unit = text.charCodeAt(b - 1);
    var k = unit >= 0xdc00 && unit <= 0xdfff && b - 2 >= a ? b - 2 : b - 1;
    if (isWordAt(text, k)) break;
    b = k;
  }
  return b;
}

function trimmed(word) {
  var n = word.length;
  if (n && isWordAt(word, 0) && isWordAt(word, n - 1)) return word;  // the common case
  var a = trimStart(word, 0, n);
  return word.slice(a, trimEnd(word, a, n));
}

function makeSeparator(source) {
  try {
    return new RegExp(typeof source === "string" && source ? source : "[\\s\\-]+", "g");
  } catch (err) {
    return /[\s\-]+/g;
  }
}

// Calls fn(start, end) for every non-empty piece of text between separator matches.
function split(text, separator, fn) {
  separator.lastIndex = 0;
  var index = 0, match;
  do {
    match = separator.exec(text);
    var until = match ? match.index : text.length;
    if (index < until) fn(index, until);
    if (match) {
      index = match.index + match[0].length;
      if (match[0].length === 0) separator.lastIndex = match.index + 1;  // zero-width separators
    }
  } while (match && index <= text.length);
}

// FNV-1a over a word's UTF-16 units: the hash of the index's word table.
function hashOf(text, a, b) {
  var h = -2128831035;
  for (var i = a; i < b; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h;
}
