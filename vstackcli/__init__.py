"""vstackcli: a Cisco IOS Smart Install ("vstack") director emulator."""

__version__ = "0.1.0"
