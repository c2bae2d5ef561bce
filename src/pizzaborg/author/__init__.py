"""Author tools: everything under ``pizzaborg story``, in one place.

- :mod:`.cli`: registers the ``story`` tools on pizzaborg's parser and dispatches them (light: only
  argparse at import; each tool's work is imported when it runs).
- :mod:`.check`: ``story check``, the loader's validation plus the graph checks.
- :mod:`.audit`: ``story audit``, the answer-key audit (tells, test-wise learners); its thresholds
  and their defaults are in :mod:`.settings`.
- :mod:`.bots`: ``story bots``, whole games played by fixed rules: the player framework the audit's
  test-wise learners share.
- :mod:`.randomtest`: ``story randomtest``, seeded random playthroughs.
- :mod:`.map`: ``story map``, the learning map (Markdown).
- :mod:`.graph`: ``story graph``, the story as a Mermaid or Graphviz graph.

Only the engine is imported here: no Textual, no Rich.
"""
