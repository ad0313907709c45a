// The reader: select a passage of the article (with the mouse, or sentence by sentence with the
// arrow keys), press "Tag claim" (or t), tag it in place.
// Offsets are sent in UTF-16 code units, as the DOM counts them; the server converts them.
(function () {
  "use strict";

  const PENDING = "pending-tag";
  const SENTENCE_END = ".!?…";
  const AFTER_SENTENCE_END = ".!?…\"'”’»)]";
  const NO_SELECTION =
    "Select a passage first, or focus the article text and use the arrow keys to pick a sentence.";

  // What was selected when the form opened: kept highlighted, and selected again on closing.
  let pendingRange = null;
  let savingFromPanel = false;

  function articleText() {
    return document.querySelector("article[data-tag-url]");
  }

  function panel() {
    return document.getElementById("tag-panel");
  }

  function announce(message) {
    const status = document.getElementById("reader-status");
    if (!status) return;
    // Emptied first, so the same message said twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function offsetWithin(article, node, offset) {
    const range = document.createRange();
    range.setStart(article, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function currentSelection(article) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) return null;
    const start = offsetWithin(article, range.startContainer, range.startOffset);
    const end = offsetWithin(article, range.endContainer, range.endOffset);
    if (end <= start) return null;
    return { start: start, end: end, passage: article.textContent.slice(start, end), range: range };
  }

  // The pending selection stays visible while focus is in the form (a DOM selection would not).
  function highlight(range) {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    CSS.highlights.set(PENDING, new Highlight(range));
  }

  function clearHighlight() {
    if (window.CSS && CSS.highlights) CSS.highlights.delete(PENDING);
  }

  function openTagForm() {
    const article = articleText();
    const button = document.getElementById("tag-button");
    if (!article || !button || !panel()) return;
    const selected = currentSelection(article);
    if (!selected) {
      announce(NO_SELECTION);
      return;
    }
    const params = new URLSearchParams({
      start: selected.start, end: selected.end, passage: selected.passage,
    });
    button.hidden = true;
    const status = document.getElementById("reader-status");
    if (status) status.textContent = "";  // the hint about the selection is done with
    pendingRange = selected.range.cloneRange();
    highlight(pendingRange);
    htmx.ajax("GET", article.dataset.tagUrl + "?" + params, { target: "#tag-panel", swap: "innerHTML" })
      .then(function () {
        const field = panel() && panel().querySelector(
          "textarea, input:not([type=hidden]), select"
        );
        if (field) field.focus();
      });
  }

  function closeTagForm() {
    const article = articleText();
    if (panel()) panel().innerHTML = "";
    clearHighlight();
    if (!article) return;
    if (pendingRange && article.contains(pendingRange.startContainer)) {
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(pendingRange);
    }
    pendingRange = null;
    article.focus();
  }

  function placeButton() {
    const article = articleText();
    const button = document.getElementById("tag-button");
    if (!article || !button) return;
    const selected = currentSelection(article);
    if (!selected) { button.hidden = true; return; }
    const box = selected.range.getBoundingClientRect();
    button.hidden = false;
    button.style.top = window.scrollY + box.bottom + 6 + "px";
    button.style.left = window.scrollX + box.left + "px";
  }

  // Sentences as [start, end) offsets of the text: ended by . ! ? … (and any closing quote or
  // bracket) before a space, or by a line break. "Mr. Smith" splits too: Shift+↓ joins it again.
  function sentenceSpans(text) {
    const spans = [];
    let at = 0;
    while (at < text.length) {
      while (at < text.length && /\s/.test(text[at])) at++;
      if (at >= text.length) break;
      let next = at;
      while (next < text.length && text[next] !== "\n") {
        if (SENTENCE_END.includes(text[next])) {
          let past = next + 1;
          while (past < text.length && AFTER_SENTENCE_END.includes(text[past])) past++;
          next = past;
          if (past >= text.length || /\s/.test(text[past])) break;
        } else {
          next++;
        }
      }
      let end = next;
      while (end > at && /\s/.test(text[end - 1])) end--;
      spans.push([at, end]);
      at = next;
    }
    return spans;
  }

  // The text node and offset at a character offset; a start prefers the node that follows.
  function pointAt(article, offset, isStart) {
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const past = seen + node.data.length;
      if (offset < past || (!isStart && offset === past)) return [node, offset - seen];
      seen = past;
    }
    return [article, article.childNodes.length];
  }

  function select(article, start, end) {
    const range = document.createRange();
    range.setStart.apply(range, pointAt(article, start, true));
    range.setEnd.apply(range, pointAt(article, end, false));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    const box = range.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      window.scrollBy(0, box.top - window.innerHeight / 3);
    }
    announce("Selected: “" + range.toString() + "” Press t to tag it.");
  }

  function moveBySentence(article, forward, extend) {
    const spans = sentenceSpans(article.textContent);
    if (!spans.length) return;
    const selected = currentSelection(article);
    if (!selected) {
      const first = forward ? spans[0] : spans[spans.length - 1];
      select(article, first[0], first[1]);
      return;
    }
    if (forward) {
      const next = spans.find(function (span) {
        return extend ? span[1] > selected.end : span[0] >= selected.end;
      });
      if (next) select(article, extend ? selected.start : next[0], next[1]);
    } else {
      const earlier = spans.filter(function (span) {
        return extend ? span[0] < selected.start : span[1] <= selected.start;
      });
      const previous = earlier[earlier.length - 1];
      if (previous) select(article, previous[0], extend ? selected.end : previous[1]);
    }
  }

  document.addEventListener("selectionchange", placeButton);
  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    if (event.target.id === "tag-button") openTagForm();
    if (event.target.closest("#tag-panel [data-close-tag-form]")) {
      event.preventDefault();
      closeTagForm();
    }
  });
  document.addEventListener("keydown", function (event) {
    const target = event.target instanceof Element ? event.target : document.body;
    const article = articleText();
    const modified = event.ctrlKey || event.metaKey || event.altKey;
    if (event.key === "Escape" && panel() && panel().querySelector("form")
        && (panel().contains(target) || target === document.body)) {
      closeTagForm();
      return;
    }
    if (article && target === article && !modified
        && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveBySentence(article, event.key === "ArrowDown", event.shiftKey);
      return;
    }
    const typing = target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "t" && !typing && !modified) {
      openTagForm();
    }
  });
  // A reader drawn afresh (a claim saved, a mention moved) has no pending selection any more.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    // Only a save sets this: the "Checked before?" list, fetched 400 ms after typing, may
    // start while the save is on its way, and must not make the saved reader lose focus.
    if (event.detail.elt instanceof Element && event.detail.elt.matches("#tag-panel form")) {
      savingFromPanel = true;
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (panel() && panel().querySelector("form")) {
      // The form is back in the panel (refused, or opened afresh): no save is on its way.
      if (event.detail.target && event.detail.target.id === "tag-panel") savingFromPanel = false;
      return;
    }
    clearHighlight();
    pendingRange = null;
    if (savingFromPanel && event.detail.target && event.detail.target.id === "reader") {
      savingFromPanel = false;
      const article = articleText();
      if (article) article.focus();
      announce("Claim tagged.");
    }
  });
})();
