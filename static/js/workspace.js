// The claim page repeats the evidence balance beside the verdict form. When htmx redraws the
// evidence section, the side column copies the new balance so the two never disagree.
document.addEventListener("htmx:afterSettle", function () {
  var fresh = document.querySelector("#evidence .balance");
  var side = document.getElementById("side-balance");
  if (!fresh || !side) return;
  var label = fresh.querySelector("strong");
  var counts = fresh.querySelector(".meta");
  var badge = side.querySelector(".balance");
  if (label && badge) {
    badge.className = fresh.className;
    badge.textContent = label.textContent;
  }
  var sideCounts = side.querySelector(".meta");
  if (counts && sideCounts) sideCounts.textContent = counts.textContent.split(" · weighted")[0];
});
