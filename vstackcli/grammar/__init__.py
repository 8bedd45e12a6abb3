"""The IOS command grammar: spec language, token types, compiled graphs and the walker."""

from vstackcli.grammar.graph import Command
from vstackcli.grammar.match import Ambiguous, Empty, HelpEntry, Incomplete, Invalid, Match, ModeGraph

__all__ = ["Ambiguous", "Command", "Empty", "HelpEntry", "Incomplete", "Invalid", "Match", "ModeGraph"]
