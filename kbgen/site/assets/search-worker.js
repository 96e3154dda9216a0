/*
 * kbgen's browser search worker, installed by kbgen/site/worker.py in place of
 * Material for MkDocs' lunr worker (assets/javascripts/workers/search.*.min.js).
 *
 * Why our own: lunr builds its index in the browser on every visit, which at
 * 10,000 articles takes seconds before the first result. This worker builds a
 * plain inverted index in one pass (about 0.15 s for 10,000 articles) and
 * answers prefix queries by binary search over the sorted words.
 *
 * It speaks Material's worker protocol unchanged, so Material's search UI
 * (bundle.js) is untouched:
 *   {type: 0 SETUP, data: {config, docs, options}}  ->  {type: 1 READY}
 *   {type: 2 QUERY, data: "user text"}             ->  {type: 3 RESULT, data: {items, suggest?}}
 * items are SearchItem[][]: results grouped by article (a doc whose location
 * has "#anchor" belongs to the page before "#"), groups best first, each item
 * {...doc, score, terms: {queryTerm: matched}} with <mark> around matched words.
 * Material's UI inserts title, text and tags as HTML, so highlighting only ever
 * adds <mark>/</mark> pairs inside text nodes, never inside a tag or entity.
 *
 * What it does not do: stemming or fuzzy matching (every query word matches by
 * prefix, as Material's trailing wildcard does), query syntax (+, -, ~, ^,
 * field:, quotes are ordinary characters and trimmed), phrase search.
 *
 * Result shape, grouping and Han query segmentation follow Material for MkDocs
 * (MIT licence, Copyright (c) 2016-2025 Martin Donath).
 *
 * Part 3 of 3: queries, results and the message handler. kbgen/site/worker.py joins
 * search-text.js (HTML text and words), search-index.js (the index) and this file.
 */
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var MAX_QUERY_TERMS = 32;   // a pasted paragraph must not cost a prefix scan per word
var MAX_HAN_TERM = 16;      // longest Han word the query segmenter tries
// Highlighting is most of a query's cost; a one-letter query can hit a third of 10,000 articles,
// and nobody scrolls past the first few hundred, so later results come back unhighlighted.
var MAX_HIGHLIGHTED = 300;
// BM25 saturation and a mild length normalisation: a short title matters more than a long one,
// but not enough for a prefix in a short title to beat the exact word in a long one.
var K1 = 1.2, B = 0.3;
var HAN_RUN = /\p{sc=Han}+/gu;

// Greedy longest match of a Han run against the index's words, like Material's segment();
// characters no word starts with stay together as one prefix term.
Index.prototype.segment = function (run, out) {
  var pending = "", i = 0;
  while (i < run.length) {
    var j = Math.min(run.length, i + MAX_HAN_TERM);
    while (j > i && this.lookup(run.slice(i, j)) < 0) j--;
    if (j === i) { pending += run[i++]; continue; }
    if (pending) { out.push(pending); pending = ""; }
    out.push(run.slice(i, j));
    i = j;
  }
  if (pending) out.push(pending);
};

// The query's words: split like the index, Han runs segmented, stop words dropped, no repeats.
Index.prototype.queryTerms = function (query) {
  var words = [], out = [];
  // The query is plain text, not HTML; split at white space first, as Material's transform does.
  var parts = typeof query === "string" ? query.split(/\s+/) : [];
  for (var p = 0; p < parts.length; p++) this.textWords(parts[p], words);
  for (var w = 0; w < words.length; w++) {
    var word = words[w], at = 0, m;
    HAN_RUN.lastIndex = 0;
    while ((m = HAN_RUN.exec(word)) !== null) {
      if (m.index > at) out.push(word.slice(at, m.index));
      this.segment(m[0], out);
      at = m.index + m[0].length;
    }
    if (at < word.length) out.push(word.slice(at));
  }
  var seen = new Set(), terms = [];
  for (var k = 0; k < out.length && terms.length < MAX_QUERY_TERMS; k++) {
    var term = trimmed(out[k]);
    if (term && !seen.has(term) && !this.isStopWord(term)) {
      seen.add(term);
      terms.push(term);
    }
  }
  return terms;
};

function saturate(tf, length, average) {
  return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average));
}

Index.prototype.search = function (query) {
  var terms = this.queryTerms(query);
  if (!terms.length) return {items: []};
  var F = this.fields.length, N = this.docs.length;
  var best = new Float64Array(N * F), part = new Float64Array(N), rel = new Float64Array(N);
  var mask = new Uint32Array(N), matched = new Uint8Array(N), hit = [];
  for (var q = 0; q < terms.length; q++) {
    var term = terms[q], touched = [];
    var sorted = this.terms;
    for (var t = this.lowerBound(term); t < sorted.length && sorted[t].startsWith(term); t++) {
      var word = sorted[t];
      // An exact word beats a prefix of a longer one; a closer prefix beats a farther one.
      var exact = word.length === term.length ? 1 : 0.3 + 0.3 * term.length / word.length;
      for (var e = this.head[this.lookup(word)]; e >= 0; e = this.next[e]) {
        var key = this.keys[e], f = key % F, d = (key - f) / F;
        var s = exact * saturate(this.tfs[e], this.lengths[f][d], this.average[f]);
        if (best[key] === 0) touched.push(key);
        if (s > best[key]) best[key] = s;
      }
    }
    var docs = [];
    for (var k = 0; k < touched.length; k++) {
      var key2 = touched[k], f2 = key2 % F, d2 = (key2 - f2) / F;
      if (part[d2] === 0) docs.push(d2);
      part[d2] += this.weights[f2] * best[key2];
      best[key2] = 0;
    }
    var idf = Math.log(1 + (N - docs.length + 0.5) / (docs.length + 0.5));
    for (var j = 0; j < docs.length; j++) {
      var d3 = docs[j];
      if (matched[d3] === 0) hit.push(d3);
      rel[d3] += idf * part[d3];
      part[d3] = 0;
      mask[d3] |= 1 << q;
      matched[d3]++;
    }
  }
  var docsList = this.docs, scores = new Float64Array(N);
  for (var h = 0; h < hit.length; h++) {
    var doc = docsList[hit[h]];
    var r = rel[hit[h]] * (doc.parent ? 1 : 2) * (+doc.boost > 0 ? +doc.boost : 1);
    // More matched query words always rank first; relevance orders documents within a count.
    scores[hit[h]] = matched[hit[h]] + r / (r + 1);
  }
  hit.sort(function (a, b) { return scores[b] - scores[a] || a - b; });
  return this.results(hit, scores, mask, terms);
};

Index.prototype.results = function (hit, scores, mask, terms) {
  var groups = new Map();
  for (var h = 0; h < hit.length; h++) {
    var doc = this.docs[hit[h]], item = Object.assign({}, doc);
    for (var f = 0; f < this.fields.length; f++) {
      var name = this.fields[f], value = doc[name];
      if (Array.isArray(value)) {
        item[name] = h < MAX_HIGHLIGHTED ? value.map(function (v) {
          return this.highlight(String(v), terms);
        }, this) : value.slice();
      } else if (typeof value === "string" && h < MAX_HIGHLIGHTED) {
        item[name] = this.highlight(value, terms);
      }
    }
    item.score = scores[hit[h]];
    item.terms = Object.create(null);  // a query word "__proto__" is a key like any other
    for (var q = 0; q < terms.length; q++) item.terms[terms[q]] = (mask[hit[h]] & (1 << q)) !== 0;
    var ref = doc.parent ? doc.parent.location : doc.location;
    if (!groups.has(ref)) groups.set(ref, []);
    groups.get(ref).push(item);
  }
  groups.forEach(function (items, ref) {  // every group shows its article, as Material's does
    if (items.some(function (item) { return item.location === ref; })) return;
    var article = this.byPath.get(ref);
    if (article) items.push(Object.assign({}, article, {score: 0, terms: {}}));
  }, this);
  var result = {items: Array.from(groups.values())};
  if (this.options.suggest) result.suggest = this.suggest(hit, terms);
  return result;
};

// <mark> around each word of the field that a query term is a prefix of; only inside text
// nodes and around whole entities, so the output is the input plus <mark>/</mark> pairs.
Index.prototype.highlight = function (html, terms) {
  if (html.indexOf("&") < 0) {
    var lower = html.toLowerCase();
    if (!terms.some(function (term) { return lower.indexOf(term) >= 0; })) return html;
  }
  var out = [], last = 0, separator = this.separator, self = this;
  eachText(html, function (s, e) {
    var amp = html.indexOf("&", s), map = amp >= 0 && amp < e ? [] : null;
    var text = map ? decode(html, s, e, map) : html.slice(s, e);
    split(text, separator, function (a, b) {
      a = trimStart(text, a, b);
      b = trimEnd(text, a, b);
      if (a >= b) return;
      var word = text.slice(a, b).toLowerCase();
      if (self.isStopWord(word)) return;
      if (!terms.some(function (term) { return word.startsWith(term); })) return;
      var from = map ? map[a] : s + a, to = map ? map[b] : s + b;
      out.push(html.slice(last, from), "<mark>", html.slice(from, to), "</mark>");
      last = to;
    });
  });
  out.push(html.slice(last));
  return out.join("");
};

// Material's suggestion: the words of the best title that every query term is a prefix of.
Index.prototype.suggest = function (hit, terms) {
  for (var h = 0; h < hit.length && h < 50; h++) {
    var words = [];
    this.words(String(this.docs[hit[h]].title || ""), words);
    var found = terms.map(function (term) {
      return words.find(function (word) { return word.startsWith(term); });
    });
    if (found.every(Boolean)) return found;
  }
  return [];
};

/* -- the worker ------------------------------------------------------------------------- */

var index = null;

addEventListener("message", function (ev) {
  var message = ev.data || {};
  if (message.type === SETUP) {
    try {
      index = new Index(message.data || {});
    } catch (err) {
      console.warn("kbgen search: could not index the documents", err);
      index = new Index({});
    }
    postMessage({type: READY});
  } else if (message.type === QUERY) {
    var data = {items: []};
    try {
      if (index !== null) data = index.search(message.data);
    } catch (err) {
      console.warn("kbgen search: query failed", err);
    }
    postMessage({type: RESULT, data: data});
  }
});
