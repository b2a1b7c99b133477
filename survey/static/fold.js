// Department scorecards on phones: the summary first, the detail sections folded. The page
// sends them open (desktop, and any browser without JavaScript); a narrow screen closes them.
(function () {
  if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) return;
  document.querySelectorAll("details.fold[open]").forEach(function (d) { d.removeAttribute("open"); });
})();
