"""The play layer: what every face (terminal UI, plain mode, headless play, the class server, assignment
play from the command line) drives, so that each rule of a session has one home.

- :mod:`.session`: one player's session (new, load, choose, undo, save, autosave, quit, decision
  times, notes, "continue");
- :mod:`.assignment`: one assignment run (does a save belong to it, finishing and the hand-in, the LRS);
- :mod:`.meaning` and :mod:`.render`: what the game means and the words the faces share;
- :mod:`.export`: the report written from the debrief.

Below it: the engine and the domain (the trainer model, the author tools). Above it: the faces. No
Textual, no Rich, no web library here (the import contracts in pyproject.toml check it). Nothing is
imported here, so a face loads only the modules it uses.
"""
