"""PizzaBorg: a terminal business simulation about Business & IT alignment."""

__version__ = "0.1.0"
