/*
 * kbgen's search worker, part 2 of 3: the index, built in one pass over the documents.
 * (search-worker.js says what the worker does; worker.py joins the parts.)
 */
"use strict";

var DEFAULT_FIELDS = {title: {boost: 1000}, text: {boost: 1}, tags: {boost: 1000000}};

// Setup is what a reader waits for, so building the index allocates nothing per word: a text
// node is scanned once, each word hashed (FNV-1a over its UTF-16 units) while scanned and looked
// up in an open-addressing table; a string is made only for a word seen for the first time.
// Postings are linked lists in typed arrays: entry e has key[e] = doc * F + field, tf[e] and
// next[e]. Measured in Chromium at 10,000 articles this is about twice as fast as a Map of arrays.

function grow(array, size) {
  var bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}

function Index(data) {
  var config = data.config || {};
  this.docs = (Array.isArray(data.docs) ? data.docs : []).filter(function (doc) {
    return doc !== null && typeof doc === "object";
  });
  this.options = data.options || {};
  this.separator = makeSeparator(config.separator);
  // String.split is several times faster than an exec loop, but would return capture groups.
  this.splitter = new RegExp("(?:" + this.separator.source + ")|").exec("").length === 1
    ? new RegExp(this.separator.source) : null;
  // Lower-casing before splitting is faster, but wrong for a separator that looks at case
  // (Material's camelCase split `(?=[A-Z][a-z])`): any upper-case letter in it rules it out.
  this.lowerFirst = !/[A-Z]|\\p/.test(this.separator.source);
  // A separator that is one character class (kbgen's and Material's default) can be decided
  // unit by unit, which lets scan() tokenize without the regex: 1 separator, 2 not, 0 unknown.
  this.unitClass = this.lowerFirst && /^\[(?:[^\]\\]|\\.)+\]\+?$/.test(this.separator.source)
    ? new RegExp("^" + this.separator.source.replace(/\+$/, "") + "$") : null;
  this.sepUnit = new Uint8Array(65536);
  this.stop = Array.isArray(config.pipeline) && config.pipeline.indexOf("stopWordFilter") >= 0;
  var spec = config.fields && typeof config.fields === "object" ? config.fields : DEFAULT_FIELDS;
  this.fields = Object.keys(spec);
  // Material's boosts span 1 to 1,000,000 (text, title, tags); their logarithm keeps that order
  // without letting a single tag outweigh every other word of the query.
  this.weights = this.fields.map(function (name) {
    var boost = spec[name] && +spec[name].boost > 0 ? +spec[name].boost : 1;
    return 1 + Math.log10(Math.max(boost, 1));
  });
  var byPath = this.byPath = new Map();
  for (var d = 0; d < this.docs.length; d++) {
    var doc = this.docs[d], path = String(doc.location), hash = path.indexOf("#");
    if (hash >= 0) path = path.slice(0, hash);
    var article = byPath.get(path);
    if (article === undefined) byPath.set(path, doc);
    else doc.parent = article;  // as Material's setupSearchDocumentMap: sections follow their page
  }
  this.build();
}

Index.prototype.isStopWord = function (word) {
  return this.stop && word.length < 8 && STOP_WORDS.has(word);
};

// Appends the words of plain text to out: split at the separator, trimmed, lower-cased, stop
// words kept (the index drops them once per distinct word). The query and highlighting path.
Index.prototype.textWords = function (text, out) {
  var pieces;
  if (this.lowerFirst) text = text.toLowerCase();
  if (this.splitter) {
    pieces = text.split(this.splitter);
  } else {
    pieces = [];
    split(text, this.separator, function (a, b) { pieces.push(text.slice(a, b)); });
  }
  for (var i = 0; i < pieces.length; i++) {
    var word = pieces[i] && trimmed(pieces[i]);
    if (word) out.push(this.lowerFirst ? word : word.toLowerCase());
  }
};

// Appends the words of one field value, a string of HTML: each text node on its own, as
// Material's tokenizer does, so no word (and no <mark>) ever spans a tag.
Index.prototype.words = function (html, out) {
  var self = this;
  if (html.indexOf("<") < 0 && html.indexOf("&") < 0) return this.textWords(html, out);
  eachText(html, function (s, e) { self.textWords(decode(html, s, e, null), out); });
};

// The entry of text[a:b] (hash h) in the word table, or -1 - the free slot where it would go.
Index.prototype.find = function (text, a, b, h) {
  var slots = this.slots, mask = slots.length - 1, length = b - a;
  for (var i = h & mask; ; i = (i + 1) & mask) {
    var slot = slots[i];
    if (slot === 0) return -1 - i;
    var word = this.list[slot - 1];
    if (this.hashes[slot - 1] === h && word.length === length) {
      var k = 0;
      while (k < length && word.charCodeAt(k) === text.charCodeAt(a + k)) k++;
      if (k === length) return slot - 1;
    }
  }
};

// The term id of a lower-cased word, or -1 (not in the index, or a stop word).
Index.prototype.lookup = function (word) {
  var e = this.find(word, 0, word.length, hashOf(word, 0, word.length));
  return e >= 0 && this.head[e] !== -2 ? e : -1;
};

// One occurrence of text[a:b] (hash h) in field key of the document being indexed.
Index.prototype.add = function (text, a, b, h, key) {
  var e = this.find(text, a, b, h);
  if (e < 0) {
    var word = text.slice(a, b), slot = -1 - e;
    e = this.list.length;
    this.list.push(word);
    this.hashes.push(h);
    this.slots[slot] = e + 1;
    var stop = this.isStopWord(word);
    this.head.push(stop ? -2 : -1);
    this.tail.push(-1);
    if (this.list.length * 2 > this.slots.length) this.rehash();
  }
  if (this.head[e] === -2) return;  // a stop word
  this.fieldLength++;
  var last = this.tail[e];
  if (last >= 0 && this.keys[last] === key) { this.tfs[last]++; return; }  // again in this field
  var n = this.count++;
  if (n === this.keys.length) {
    this.keys = grow(this.keys, n * 2);
    this.tfs = grow(this.tfs, n * 2);
    this.next = grow(this.next, n * 2);
  }
  this.keys[n] = key; this.tfs[n] = 1; this.next[n] = -1;
  if (last >= 0) this.next[last] = n; else this.head[e] = n;
  this.tail[e] = n;
};

Index.prototype.rehash = function () {
  var slots = this.slots = new Int32Array(this.slots.length * 4), mask = slots.length - 1;
  for (var e = 0; e < this.list.length; e++) {
    var i = this.hashes[e] & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = e + 1;
  }
};

// Indexes the words of one text node (entities decoded) for field key: split, trimmed and
// hashed in one pass when the separator is a character class, else through textWords.
Index.prototype.scan = function (text, key) {
  if (this.unitClass === null || /[\ud800-\udfff]/.test(text)) {
    var words = [];
    this.textWords(text, words);
    for (var w = 0; w < words.length; w++) {
      this.add(words[w], 0, words[w].length, hashOf(words[w], 0, words[w].length), key);
    }
    return;
  }
  text = text.toLowerCase();
  var sep = this.sepUnit, start = -1, end = 0, h = 0, at = 0;
  for (var i = 0, n = text.length; i <= n; i++) {
    var c = i < n ? text.charCodeAt(i) : 32, kind = sep[c];
    if (kind === 0) kind = sep[c] = this.unitClass.test(String.fromCharCode(c)) ? 1 : 2;
    if (kind === 1 || i === n) {
      if (start >= 0) this.add(text, start, end, at, key);
      start = -1;
      continue;
    }
    var word = WORD_UNIT[c];
    if (word === 0) word = WORD_UNIT[c] = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
    if (word === 1) {
      if (start < 0) { start = i; h = -2128831035; }
      h = Math.imul(h ^ c, 16777619);
      end = i + 1;
      at = h;  // the hash as far as the last word character: trailing punctuation is trimmed
    } else if (start >= 0) {
      h = Math.imul(h ^ c, 16777619);  // punctuation inside a word ("core/queryparser") stays
    }
  }
};

Index.prototype.addField = function (html, key) {
  if (html.indexOf("<") < 0 && html.indexOf("&") < 0) return this.scan(html, key);
  var self = this;
  eachText(html, function (s, e) { self.scan(decode(html, s, e, null), key); });
};

Index.prototype.build = function () {
  var F = this.fields.length, N = this.docs.length;
  this.list = []; this.hashes = []; this.slots = new Int32Array(1 << 12);
  this.head = []; this.tail = []; this.count = 0;
  this.keys = new Int32Array(1024);  // postings: doc * F + field
  this.tfs = new Int32Array(1024);
  this.next = new Int32Array(1024);
  this.lengths = this.fields.map(function () { return new Float64Array(N); });
  var totals = new Float64Array(F), counts = new Float64Array(F);
  for (var d = 0; d < N; d++) {
    for (var f = 0; f < F; f++) {
      var value = this.docs[d][this.fields[f]];
      if (value === undefined || value === null) continue;
      this.fieldLength = 0;  // words of this field, stop words not counted
      if (Array.isArray(value)) {
        for (var v = 0; v < value.length; v++) this.addField(String(value[v]), d * F + f);
      } else {
        this.addField(String(value), d * F + f);
      }
      this.lengths[f][d] = this.fieldLength;
      totals[f] += this.fieldLength;
      counts[f]++;
    }
  }
  this.average = Array.from(totals, function (t, f) { return counts[f] ? t / counts[f] || 1 : 1; });
  var head = this.head;
  this.terms = this.list.filter(function (word, e) { return head[e] !== -2; }).sort();
  this.tail = null;  // only needed while building
};

// First position in the sorted terms not below prefix.
Index.prototype.lowerBound = function (prefix) {
  var lo = 0, hi = this.terms.length;
  while (lo < hi) {
    var mid = (lo + hi) >>> 1;
    if (this.terms[mid] < prefix) lo = mid + 1; else hi = mid;
  }
  return lo;
};
