"""The Textual face of PizzaBorg.

Importing this package does not import Textual: ``launch`` checks the terminal and the save first,
and only ``app`` (loaded when the game really starts) pulls Textual in. ``session``, ``analysis`` and
``export`` are plain Python over the engine API and hold no game rules.
"""
