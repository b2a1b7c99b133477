"""The scorecard journey's verbs, taking a session (read, then compute; nothing here writes):

- reading: ``scorecard_data`` (sums, released quarters and their versions, names, comments),
  ``compliance_data`` and ``compliance_hours`` (service standards met, in business hours when
  the organisation has a calendar), ``scorecard_names``;
- computing: ``scorecard_models`` (quarter models under the quarter versions),
  ``scorecards`` (``build_scorecard``: one department's gated scorecard),
  ``scorecard_overview`` (the organisation; the result types are
  ``analysis.scorecard_results``),
  ``scorecard_summary``, ``scorecard_priorities``, ``scorecard_comments`` (comments grouped
  behind the comment gate);
- output: ``scorecard_charts``, ``chart_cache`` (charts and rendered page figures kept once
  per data), ``scorecard_export`` (CSV, JSON), ``scorecard_front``, ``scorecard_pdf`` and
  ``pdf_layout`` (the A4 report).

Used outside the package by the API, the admin baseline and dashboard pages, delivery's tick
and attention list, the action plans and the demo's markers check (feature packages and the
rest may import it; it imports none of them).
"""
