// The article form: a text or file over the size limit is refused before it is sent. Sent, it
// would be refused only after the whole upload, and the server could not give the text back.
(function () {
  "use strict";

  const form = document.querySelector("form[data-max-bytes]");
  if (!form) {
    return;
  }
  const limit = Number(form.dataset.maxBytes);
  const message = document.getElementById(form.dataset.sizeMessage);
  const text = form.elements.namedItem("text");
  const file = form.elements.namedItem("file");

  // The same wording as the server's (sources.extraction.in_megabytes and size_message).
  function inMegabytes(bytes) {
    const [value, unit] = bytes >= 1048576 ? [bytes / 1048576, "MB"] : [bytes / 1024, "KB"];
    return value.toFixed(1).replace(/\.0$/, "") + " " + unit;
  }

  function textBytes() {
    if (!text) {
      return 0;
    }
    // Browsers send line ends as CRLF: count them as the server will.
    return new Blob([text.value.replace(/\r?\n/g, "\r\n")]).size;
  }

  function problem() {
    const chosen = file && file.files.length ? file.files[0] : null;
    if (chosen && chosen.size > limit) {
      return "The file is " + inMegabytes(chosen.size) + "; the limit is " + inMegabytes(limit) +
        ". Nothing was sent: choose a smaller file.";
    }
    const size = textBytes();
    if (size > limit) {
      return "The text is " + inMegabytes(size) + "; the limit is " + inMegabytes(limit) +
        ". Nothing was sent, and your text is still here: shorten it and add the article again.";
    }
    return "";
  }

  function show(words) {
    if (!message) {
      return;
    }
    message.replaceChildren();
    if (words) {
      const paragraph = document.createElement("p");
      paragraph.textContent = words;
      message.append(paragraph);
    }
    message.hidden = !words;
  }

  form.addEventListener("submit", function (event) {
    const words = problem();
    show(words);
    if (words) {
      event.preventDefault();
      if (message) {
        message.scrollIntoView({ block: "nearest" });
      }
    }
  });
  if (file) {
    // Said as soon as the file is picked, not only when the form is sent.
    file.addEventListener("change", function () {
      show(problem());
    });
  }
})();
