"""Pure scoring, statistics, anonymity rules and charts of the internal service IQ.

Plain data in (numbers, sequences, mappings), frozen dataclasses, floats and bytes out. The
package imports only the standard library, numpy, scipy and matplotlib, never Flask,
SQLAlchemy or ``survey``, so every function can be called from a notebook. The model is
written out in ``docs/scoring.md``.

Modules:

- ``analysis.stats``: intervals and tests with their published sources (Wilson, Mann-Kendall
  with Theil-Sen, Benjamini-Hochberg, Cronbach's alpha with Feldt's interval).
- ``analysis.scoring``: item rescaling, the prior strength of a share, the perception gap.
- ``analysis.model``: the scoring model, version 2 (frozen pooled priors, intervals proved by
  simulation, exact change tests with a minimum n and BH, gap-aware corrected trends, rank
  groups, the weight sensitivity line), from plain sums to frozen dataclasses.
- ``analysis.scorecard``: the scorecards' pure half: the anonymity gate around the model and
  the gated results a page assembles (the application reads sums, this computes).
- ``analysis.scorecard_inputs`` and ``analysis.scorecard_page``: a department page's plain
  snapshot (what the application reads) and ``compute_scorecard``, which turns it into the
  gated page, reading nothing; ``analysis.overview_page`` does the same for the organisation
  overview (``compute_overview``).
- ``analysis.scorecard_results``: the result nouns a page, an export or the API shows (a
  department's ``Scorecard``, the ``OrgOverview``, their parts and the ``Settings``).
- ``analysis.validate``: the simulation study of ``analysis.model`` (``make validate``).
- ``analysis.anonymity``: the k gates and the remainder rule for tables of counts.
- ``analysis.charts``: matplotlib ``Figure`` charts (never pyplot) and their SVG/PNG/PDF bytes.
"""
