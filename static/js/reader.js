// The reader: select a passage of the article, press "Tag claim" (or t), tag it in place.
// Offsets are sent in UTF-16 code units, as the DOM counts them; the server converts them.
(function () {
  "use strict";

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

  function openTagForm() {
    const article = document.querySelector("article[data-tag-url]");
    const button = document.getElementById("tag-button");
    const selected = article && currentSelection(article);
    if (!selected || !button) return;
    const params = new URLSearchParams({
      start: selected.start, end: selected.end, passage: selected.passage,
    });
    button.hidden = true;
    htmx.ajax("GET", article.dataset.tagUrl + "?" + params, { target: "#tag-panel", swap: "innerHTML" })
      .then(function () {
        const field = document.querySelector("#tag-panel textarea[name=text]");
        if (field) field.focus();
      });
  }

  function placeButton() {
    const article = document.querySelector("article[data-tag-url]");
    const button = document.getElementById("tag-button");
    if (!article || !button) return;
    const selected = currentSelection(article);
    if (!selected) { button.hidden = true; return; }
    const box = selected.range.getBoundingClientRect();
    button.hidden = false;
    button.style.top = window.scrollY + box.bottom + 6 + "px";
    button.style.left = window.scrollX + box.left + "px";
  }

  document.addEventListener("selectionchange", placeButton);
  document.addEventListener("click", function (event) {
    if (event.target.id === "tag-button") openTagForm();
  });
  document.addEventListener("keydown", function (event) {
    const target = event.target instanceof Element ? event.target : document.body;
    const typing = target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "t" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      openTagForm();
    }
  });
})();
