"""``pizzaborg serve``: the game in a browser for a class, through textual-serve (the ``web`` extra).

``command`` (argparse only) is what the CLI imports; ``server`` (aiohttp, textual-serve) is imported
when the server starts; ``child`` is the game process each browser session runs. Nothing on the
headless paths imports this package's web modules.
"""
