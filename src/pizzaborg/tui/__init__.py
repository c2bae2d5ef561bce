"""The Textual face of PizzaBorg.

Importing this package does not import Textual: ``launch`` checks the terminal and the save first,
and only ``app`` (loaded when the game really starts) pulls Textual in. The session it drives, what the
game means and the shared words are in :mod:`pizzaborg.play`, under every face.
"""
